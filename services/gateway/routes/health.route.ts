import { ServiceBroker } from 'moleculer';
import { GridbusConfig } from '../../../config';
import { maskUrlSecretsDeep } from '../../../core/crypto/mask-url';
import { clusterReadiness } from '../readiness';
import { GatewayRequest, GatewayResponse } from '../types';

type Self = { broker: ServiceBroker; sendJson: (res: GatewayResponse, status: number, body: unknown) => void };

/** Liveness (`/health/live`) and cluster readiness (`/health`). */
export function healthRoute(config: GridbusConfig) {
  return {
    path: '/health',
    mappingPolicy: 'restrict',
    bodyParsers: false,
    // monitoring networks only (GATEWAY_OPS_ALLOW); never banned: load balancers probe here
    policies: { group: 'ops', ipRestriction: { allow: config.gateway.opsAllow }, ipLimit: false as const },
    aliases: {
      async 'GET /live'(this: Self, _req: GatewayRequest, res: GatewayResponse) {
        this.sendJson(res, 200, { status: 'up', nodeId: config.nodeId });
      },
      async 'GET /'(this: Self, _req: GatewayRequest, res: GatewayResponse) {
        const readiness = await clusterReadiness(this.broker);
        // each node masks its own report; this covers the rest (a node's error, an older node's report)
        this.sendJson(res, readiness.status === 'down' ? 503 : 200, maskUrlSecretsDeep(readiness));
      },
    },
  };
}
