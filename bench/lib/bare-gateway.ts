/** Baseline of bench/gateway.ts: a bare moleculer-web gateway (no policies, no auth) over NATS. */
import { ServiceBroker } from 'moleculer';
import ApiGateway from 'moleculer-web';

const broker = new ServiceBroker({ nodeID: `bare-gw-${process.pid}`, namespace: process.env.BUS_NAMESPACE, transporter: process.env.NATS_URL, logger: false });
broker.createService({
  name: 'bare',
  mixins: [ApiGateway],
  settings: { port: Number(process.env.HTTP_PORT), ip: '127.0.0.1', routes: [{ path: '/', aliases: { 'GET echo': 'echo.echo' } }] },
});
broker.start().then(() => process.stdout.write('ready\n'));
process.on('SIGTERM', () => void broker.stop().then(() => process.exit(0)));
