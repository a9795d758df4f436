import { GridbusConfig } from '../../../config';
import { renderPrometheus } from '../../../core/metrics/prometheus-text';
import { GatewayRequest, GatewayResponse } from '../types';

/** Prometheus text of this gateway node's Moleculer metrics. */
export function metricsRoute(config: GridbusConfig) {
  return {
    path: '/metrics',
    mappingPolicy: 'restrict',
    bodyParsers: false,
    // monitoring networks only (GATEWAY_OPS_ALLOW); never banned: load balancers probe here
    policies: { group: 'ops', ipRestriction: { allow: config.gateway.opsAllow }, ipLimit: false as const },
    aliases: {
      'GET /'(this: { broker: { metrics: { list: () => unknown[] } } }, _req: GatewayRequest, res: GatewayResponse) {
        res.setHeader('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
        res.end(renderPrometheus(this.broker.metrics.list() as never, { node: config.nodeId }));
      },
    },
  };
}
