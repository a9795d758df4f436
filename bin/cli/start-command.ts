import { HOUSEHOLDS } from '../../simulators/marketing/dataset';
import type { LoggerInstance } from 'moleculer';
import { RunningBus, startBus } from '../bootstrap';
import { readConfig } from './options';

/** Each stops the bus in order: SIGINT (Ctrl-C), SIGTERM (kill, service managers), SIGHUP (the terminal closed). */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** A stop that takes longer than this (a hung dependency) ends the process anyway, non-zero. */
const STOP_DEADLINE_MS = 30000;

/**
 * `gridbus start`: the bus in the foreground until one of STOP_SIGNALS.
 * The handlers come first, so a signal during a slow first start (initdb,
 * migrations) stops what has started once the start is done; a second
 * signal exits at once (the embedded PostgreSQL still gets its shutdown
 * request on the way out).
 */
export async function startCommand(args: string[]): Promise<void> {
  const config = readConfig(args);
  let received: NodeJS.Signals | null = null;
  let wake: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => (wake = resolve));
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      if (received) {
        process.stderr.write(`gridbus: ${signal} again: exiting now\n`);
        process.exit(130);
      }
      received = signal;
      wake();
    });
  }

  const bus = await startBus(config);
  const log = bus.broker.getLogger('gridbus');
  if (!received) announce(bus, log);
  await stopRequested;
  log.info(`${received} received: stopping (in-flight requests finish first)`);
  setTimeout(() => {
    log.error(`still stopping after ${STOP_DEADLINE_MS / 1000} s: exiting now`);
    process.exit(1);
  }, STOP_DEADLINE_MS).unref();
  await bus.stop();
  process.stdout.write('gridbus stopped cleanly\n');
  process.exit(0);
}

function announce(bus: RunningBus, log: LoggerInstance): void {
  const { config } = bus;
  log.info(`node ${config.nodeId} running: ${bus.services.join(', ')}${config.natsUrl ? ` over ${config.natsUrl}` : ' (single process, no transporter)'}`);
  if (bus.gatewayUrl) {
    const demo = HOUSEHOLDS[0].ConsNo;
    log.info(`gateway: ${bus.gatewayUrl}   health: ${bus.gatewayUrl}/health   metrics: ${bus.gatewayUrl}/metrics`);
    const { opsAllow, adminAllow } = config.gateway;
    const who = (cidrs: string[]) => cidrs.join(',') || 'nobody';
    log.info(`/health and /metrics answer ${who(opsAllow)}, /admin ${who(adminAllow)}: widen with GATEWAY_OPS_ALLOW and GATEWAY_ADMIN_ALLOW (docs/configuration.md)`);
    log.info(`demo token: TOKEN=$(npm run -s token)   then: curl -H "Authorization: Bearer $TOKEN" ${bus.gatewayUrl}/api/v1/accounts/${demo}/arrears`);
    log.info(`the life-number API: ${bus.gatewayUrl}/openapi/life-number.yaml (every /api/v1 route; try /api/v1/me, /api/v1/accounts/${demo}/bills, /api/v1/content/search?q=停电; README "Trying it")`);
    if (bus.alipaySimulator) {
      // the simulated buyer: what my.tradePay does on a phone (docs/payments.md)
      log.info(
        `demo payment: curl -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"accountNo":"${demo}","all":true}' ${bus.gatewayUrl}/api/v1/payments` +
          `   then the buyer pays: curl -X POST '${bus.alipaySimulator.url}/sim/trades/pay?out_trade_no=<outTradeNo>'`,
      );
    }
  }
}
