import { expect } from 'chai';
import * as os from 'os';
import { ServiceBroker } from 'moleculer';
import { loadConfig } from '../../../../config';
import { createBroker } from '../../../../core/broker';
import { renderPrometheus } from '../../../../core/metrics/prometheus-text';

describe('core/metrics - process metrics', () => {
  let broker: ServiceBroker;

  before(async () => {
    broker = createBroker({ ...loadConfig({}, '/tmp'), logLevel: 'error' });
    await broker.start();
  });

  after(() => broker.stop());

  it("lists the process's CPU, memory, event-loop delay and uptime", () => {
    const values = new Map((broker.metrics.list() as Array<{ name: string; values: Array<{ value?: number }> }>).map((m) => [m.name, m.values[0]?.value]));
    for (const name of ['process.cpu.seconds.total', 'process.cpu.user.seconds.total', 'process.memory.rss', 'process.memory.heap.size.used', 'process.eventloop.lag.max', 'process.uptime']) {
      expect(values.get(name), name).to.be.a('number');
    }
    expect(values.get('process.cpu.seconds.total')).to.be.greaterThan(0);
    expect(values.get('process.memory.rss')).to.be.greaterThan(0);
  });

  it('publishes nothing that identifies the machine: no OS user, host name, addresses, MAC, CPU model or process arguments', () => {
    const metrics = broker.metrics.list() as Array<{ name: string }>;
    expect(metrics.map((m) => m.name).filter((n) => n.startsWith('os.') || n === 'process.arguments' || n === 'process.pid')).to.deep.equal([]);
    const text = renderPrometheus(metrics as never);
    expect(text).to.not.include(os.hostname());
    expect(text).to.not.include(`"${os.userInfo().username}"`);
    expect(text).to.not.match(/\b[0-9a-f]{2}(:[0-9a-f]{2}){5}\b/i);
    expect(text).to.not.include(process.argv[1]);
  });
});
