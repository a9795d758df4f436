import { expect } from 'chai';
import { ServiceBroker } from 'moleculer';
import { recordOperationMetrics, registerOperationMetrics, setCircuitGauge } from '../../../../core/metrics/operation-metrics';
import { renderPrometheus } from '../../../../core/metrics/prometheus-text';
import { ExchangeEvent } from '../../../../core/operations';

const event = (operation: string, outcome: string, durationMs: number): ExchangeEvent => ({ operation, outcome, durationMs, mappingVersion: '1', canonicalRequest: {} });

describe('core/metrics - operation metrics', () => {
  let broker: ServiceBroker;

  before(async () => {
    broker = new ServiceBroker({ logger: false, metrics: { enabled: true, reporter: [] } });
    registerOperationMetrics(broker);
    registerOperationMetrics(broker); // twice is once
    await broker.start();
    for (const ms of [3, 7, 7, 40, 20000]) recordOperationMetrics(broker, event('marketing.queryArrears', 'ok', ms));
    recordOperationMetrics(broker, event('marketing.queryArrears', 'BACKEND_TIMEOUT', 5000));
    recordOperationMetrics(broker, event('sms.send', 'ok', 12));
    setCircuitGauge(broker, 'marketing.queryArrears', 'open');
  });

  after(() => broker.stop());

  it('lists calls by operation and outcome, latency as a histogram, and the circuit state', () => {
    const text = renderPrometheus(broker.metrics.list() as never);
    expect(text).to.contain('gridbus_operation_calls_total{operation="marketing.queryArrears",outcome="ok"} 5');
    expect(text).to.contain('gridbus_operation_calls_total{operation="marketing.queryArrears",outcome="BACKEND_TIMEOUT"} 1');
    expect(text).to.contain('gridbus_operation_calls_total{operation="sms.send",outcome="ok"} 1');
    expect(text).to.contain('gridbus_operation_duration_ms_bucket{operation="marketing.queryArrears",le="5"} 1');
    expect(text).to.contain('gridbus_operation_duration_ms_bucket{operation="marketing.queryArrears",le="10"} 3');
    expect(text).to.contain('gridbus_operation_duration_ms_bucket{operation="marketing.queryArrears",le="5000"} 5');
    expect(text).to.contain('gridbus_operation_duration_ms_bucket{operation="marketing.queryArrears",le="+Inf"} 6');
    expect(text).to.contain('gridbus_operation_duration_ms_sum{operation="marketing.queryArrears"} 25057');
    expect(text).to.contain('gridbus_operation_circuit_state{operation="marketing.queryArrears"} 2');
    // one family per name
    expect(text.match(/# TYPE gridbus_operation_calls_total /g)).to.have.length(1);
  });
});
