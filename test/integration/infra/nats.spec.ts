// Proves that the test NATS server (scripts/services.sh, TEST_NATS_URL) is a
// real nats-server with JetStream: request/reply, then a KV bucket round trip.
import { expect } from 'chai';
import { randomUUID } from 'crypto';
import { connect, NatsConnection, StringCodec } from 'nats';

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run \`scripts/services.sh up\` and \`source var/services/env.sh\` (npm test does both)`,
    );
  }
  return value;
}

describe('infra - nats', function () {
  this.timeout(20_000);

  const sc = StringCodec();
  let nc: NatsConnection | undefined;

  before(async function () {
    const servers = requireEnv('TEST_NATS_URL');
    nc = await connect({ servers, name: 'gridbus-infra-nats', timeout: 5_000, reconnect: false });
  });

  after(async function () {
    if (nc && !nc.isClosed()) await nc.close();
  });

  it('answers a request on a subject through the server', async function () {
    const subject = `gridbus.infra.${randomUUID()}`;
    const sub = nc!.subscribe(subject, {
      callback: (err, msg) => {
        if (!err) msg.respond(sc.encode(`pong:${sc.decode(msg.data)}`));
      },
    });
    await nc!.flush();
    const reply = await nc!.request(subject, sc.encode('ping'), { timeout: 5_000 });
    expect(sc.decode(reply.data)).to.equal('pong:ping');
    sub.unsubscribe();
    expect(nc!.getServer()).to.match(/^127\.0\.0\.1:\d+$/);
  });

  it('has JetStream enabled and keeps a value in a KV bucket', async function () {
    const jsm = await nc!.jetstreamManager();
    const account = await jsm.getAccountInfo();
    expect(account.limits).to.be.an('object');

    const bucket = `gridbus_infra_${randomUUID().replace(/-/g, '')}`;
    const kv = await nc!.jetstream().views.kv(bucket, { history: 1 });
    try {
      const value = `value-${randomUUID()}`;
      const revision = await kv.put('check', sc.encode(value));
      expect(revision).to.be.a('number').and.at.least(1);
      const entry = await kv.get('check');
      expect(entry, 'KV entry').to.exist;
      expect(entry!.string()).to.equal(value);
      expect(entry!.revision).to.equal(revision);
      const stream = await jsm.streams.info(`KV_${bucket}`);
      expect(stream.state.messages).to.equal(1);
    } finally {
      await kv.destroy();
    }
  });
});
