/** Baseline of bench/gateway.ts: an echo action in its own process, over NATS. */
import { ServiceBroker } from 'moleculer';

const broker = new ServiceBroker({ nodeID: `echo-${process.pid}`, namespace: process.env.BUS_NAMESPACE, transporter: process.env.NATS_URL, logger: false });
broker.createService({ name: 'echo', actions: { echo: () => ({ ok: true, at: Date.now() }) } });
broker.start().then(() => process.stdout.write('ready\n'));
process.on('SIGTERM', () => void broker.stop().then(() => process.exit(0)));
