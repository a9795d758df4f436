import { HOUSEHOLDS } from '../../simulators/marketing/dataset';
import { startBus } from '../bootstrap';
import { readConfig } from './options';

/** `gridbus start`: the bus in the foreground until SIGINT or SIGTERM. */
export async function startCommand(args: string[]): Promise<void> {
  const config = readConfig(args);
  const bus = await startBus(config);
  const log = bus.broker.getLogger('gridbus');
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      log.warn(`${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    log.info(`${signal} received: stopping (in-flight requests finish first)`);
    await bus.stop();
    process.stdout.write('gridbus stopped cleanly\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  log.info(`node ${config.nodeId} running: ${bus.services.join(', ')}${config.natsUrl ? ` over ${config.natsUrl}` : ' (single process, no transporter)'}`);
  if (bus.gatewayUrl) {
    const demo = HOUSEHOLDS[0].ConsNo;
    log.info(`gateway: ${bus.gatewayUrl}   health: ${bus.gatewayUrl}/health   metrics: ${bus.gatewayUrl}/metrics`);
    const { opsAllow, adminAllow } = config.gateway;
    const who = (cidrs: string[]) => cidrs.join(',') || 'nobody';
    log.info(`/health and /metrics answer ${who(opsAllow)}, /admin ${who(adminAllow)}: widen with GATEWAY_OPS_ALLOW and GATEWAY_ADMIN_ALLOW (docs/configuration.md)`);
    log.info(`demo token: TOKEN=$(npm run -s token)   then: curl -H "Authorization: Bearer $TOKEN" ${bus.gatewayUrl}/api/v1/accounts/${demo}/arrears`);
  }
}
