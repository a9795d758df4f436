import { expect } from 'chai';
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as path from 'path';
import { createTopics, deleteTopics, KafkaConsumerAdapter, KafkaLogger, KafkaProducerAdapter, peekTopic } from '../../../../adapters/kafka';
import { loadTopicShapeText } from '../../../../core/mapping/topics';
import { requireEnv } from '../../../helpers/env';

/** A Canal-style CDC shape: rows in `data[]`, the capture time only in the envelope's `ts`. */
const SHAPE = loadTopicShapeText(
  `shape: metering.canal-freeze
version: 1
topic: any
format: envelope
envelope: { recordPath: data, operationPath: type, tablePath: table, select: { table: meter_freeze, operations: [INSERT, UPDATE] } }
map:
  meterPointId: { from: mp_code, type: string, required: true }
  readingTotal: { from: pap, type: number, required: true }
  collectedAt: { from: $envelope.ts, date: { in: epochMillis, out: iso, tz: Asia/Shanghai }, required: true }
`,
  'topics/canal-freeze.yaml',
);

type Rows = Array<Record<string, unknown>>;

function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function capturingLogger(): KafkaLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: () => undefined, warn: (...args) => lines.push(args.join(' ')) };
}

/** A consumer-group member in its own process, to be killed (SIGKILL: no LeaveGroup, as in a crash). */
function memberProcess(brokers: string, groupId: string, topic: string, settings: Record<string, number>): ChildProcess {
  const adapter = path.resolve(__dirname, '../../../../adapters/kafka');
  const code = `
    const { KafkaConsumerAdapter } = require(${JSON.stringify(adapter)});
    const c = new KafkaConsumerAdapter({ brokers: ${JSON.stringify(brokers)}, groupId: ${JSON.stringify(groupId)}, topics: [${JSON.stringify(topic)}], settings: ${JSON.stringify(settings)} }, { handle: async () => undefined });
    c.events.on('assigned', (a) => { if (a.length) process.stdout.write('assigned\\n'); });
    c.start().catch((e) => { console.error(e); process.exit(2); });`;
  return spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', code], { cwd: path.resolve(__dirname, '../../../..'), stdio: ['ignore', 'pipe', 'inherit'] });
}

describe('adapters/kafka - a topic-shape consumer on a real broker', function () {
  this.timeout(90000);
  let brokers: string;
  let producer: KafkaProducerAdapter;
  const topics: string[] = [];
  const consumers: KafkaConsumerAdapter<Rows>[] = [];
  const children: ChildProcess[] = [];

  before(async () => {
    brokers = requireEnv('TEST_KAFKA_BROKERS');
    producer = new KafkaProducerAdapter({ brokers });
    await producer.start();
  });

  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(consumers.map((c) => c.stop().catch(() => undefined)));
    await producer?.stop();
    if (topics.length) await deleteTopics(brokers, topics).catch(() => undefined);
  });

  async function topicWithDlt(prefix: string, partitions = 1): Promise<string> {
    const topic = unique(prefix);
    topics.push(topic, `${topic}.DLT`);
    await createTopics(brokers, [topic, `${topic}.DLT`], { partitions });
    return topic;
  }

  it('a not-JSON record and a record that fails the shape reach the DLT with VALIDATION_FAILED and attempts 0, each logged in one line without values', async () => {
    const topic = await topicWithDlt('canal_freeze');
    const ts = Date.parse('2025-03-14T16:20:00Z');
    const good = { type: 'INSERT', table: 'meter_freeze', ts, data: [{ mp_code: 'MP-1', pap: '10.5' }, { mp_code: 'MP-2', pap: 20 }] };
    await producer.produceJson(topic, good, { key: 'a' });
    await producer.produce(topic, '{"type":"INSERT","data":[{"mp_code":"MP-3330123456"', { key: 'a' });
    await producer.produceJson(topic, { ...good, data: [{ mp_code: 'MP-4', pap: 'n/a-13812345678' }] }, { key: 'a' });
    await producer.produceJson(topic, { ...good, type: 'DELETE' }, { key: 'a' });
    await producer.produceJson(topic, { ...good, data: [{ mp_code: 'MP-5', pap: 5 }] }, { key: 'a' });

    const stored: Rows = [];
    const logger = capturingLogger();
    const c = new KafkaConsumerAdapter<Rows>(
      { brokers, groupId: unique('g-canal'), topics: [topic], format: 'raw', commitIntervalMs: 0, retry: { maxAttempts: 0 } },
      {
        decode: (r) => {
          const d = SHAPE.decode(r.raw);
          return d.action === 'records' ? d.records : undefined;
        },
        async handleBatch(records) {
          stored.push(...records.flatMap((r) => r.value));
        },
      },
      { logger },
    );
    consumers.push(c);
    await c.start();
    await waitFor('5 records done', () => c.metrics().handled + c.metrics().deadLettered + c.metrics().skipped === 5);

    expect(stored.map((r) => r.meterPointId)).to.deep.equal(['MP-1', 'MP-2', 'MP-5']);
    expect(stored[0]).to.deep.equal({ meterPointId: 'MP-1', readingTotal: 10.5, collectedAt: '2025-03-15T00:20:00+08:00' });
    expect(c.metrics()).to.deep.include({ handled: 2, deadLettered: 2, malformed: 2, skipped: 1 });

    const dead = await peekTopic(brokers, `${topic}.DLT`);
    expect(dead.map((d) => [d.headers['x-original-offset'], d.headers['x-error-code'], d.headers['x-attempts']])).to.deep.equal([
      ['1', 'VALIDATION_FAILED', '0'],
      ['2', 'VALIDATION_FAILED', '0'],
    ]);
    expect(dead[0].headers['x-error-message']).to.contain('the message is not JSON');
    expect(dead[1].headers['x-error-message']).to.contain('readingTotal: "n/a-13812345678" is not a number');

    expect(logger.lines).to.have.length(2);
    expect(logger.lines[0]).to.match(new RegExp(`^dead-lettered ${topic}\\[0\\]@1 to ${topic}\\.DLT@0: VALIDATION_FAILED, attempts 0: .*the message is not JSON`));
    expect(logger.lines[1]).to.match(new RegExp(`^dead-lettered ${topic}\\[0\\]@2 to ${topic}\\.DLT@1: VALIDATION_FAILED, attempts 0: .*readingTotal: "…" is not a number`));
    expect(logger.lines.join('\n')).not.to.match(/13812345678|3330123456|n\/a/);
  });

  it('health is degraded ("joining group") while a killed member still holds the partitions, up once assigned; its short session.timeout.ms frees them in seconds', async () => {
    const topic = await topicWithDlt('crash', 2);
    const groupId = unique('g-crash');
    // the crashed member's own settings decide how long the broker keeps it: 6 s here, against 10 s by default
    const child = memberProcess(brokers, groupId, topic, { 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 1000 });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += String(d)));
    await waitFor('the first member to get its partitions', () => out.includes('assigned'), 60000);
    child.kill('SIGKILL');
    const killedAt = Date.now();

    const c = new KafkaConsumerAdapter<Rows>({ brokers, groupId, topics: [topic], joinGraceMs: 500 }, { handle: async () => undefined }, { logger: capturingLogger() });
    consumers.push(c);
    await c.start();
    let assignedAt = 0;
    c.events.on('assigned', (a) => {
      if (a.length && !assignedAt) assignedAt = Date.now();
    });

    await new Promise((r) => setTimeout(r, 1500));
    const joining = await c.health();
    expect(joining.status, joining.detail).to.equal('degraded');
    expect(joining.detail).to.match(/joining group, 0 partitions assigned for \d+ s/);

    await waitFor('the partitions of the killed member', () => assignedAt > 0, 30000);
    const waited = assignedAt - killedAt;
    expect(waited, `assigned ${waited} ms after the kill`).to.be.within(2500, 8500);
    const up = await c.health();
    expect(up.status, up.detail).to.equal('up');
    expect(up.detail).to.match(/2 partition\(s\) assigned/);
  });
});
