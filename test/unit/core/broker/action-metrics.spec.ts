import { expect } from 'chai';
import { Errors, ServiceBroker } from 'moleculer';
import { loadConfig } from '../../../../config';
import { createBroker } from '../../../../core/broker/create-broker';

type Listed = Array<{ name: string; values: Array<{ labels: Record<string, unknown>; value?: number; buckets?: Record<string, number>; count?: number; sum?: number }> }>;

describe('core/broker - request metrics counted per action, read when the registry is listed', () => {
  let broker: ServiceBroker;
  const metric = (name: string) => (broker.metrics.list() as Listed).find((m) => m.name === name)!;

  before(async () => {
    broker = createBroker(loadConfig({ LOG_LEVEL: 'fatal', NODE_ID: 'unit-metrics' }));
    broker.createService({
      name: 'math',
      actions: {
        add: { params: { a: 'number', b: 'number' }, handler: (ctx) => (ctx.params as { a: number; b: number }).a + (ctx.params as { a: number; b: number }).b },
        fail: () => {
          throw new Errors.MoleculerClientError('no', 418, 'TEAPOT');
        },
        outer: { handler: (ctx) => ctx.call('math.add', { a: 1, b: 1 }) },
      },
    });
    await broker.start();
    for (let i = 0; i < 3; i++) await broker.call('math.add', { a: i, b: 1 });
    await broker.call('math.fail').catch(() => undefined);
    await broker.call('math.outer');
  });

  after(() => broker.stop());

  it('counts calls per action and caller, as moleculer.request.total', () => {
    const values = metric('moleculer.request.total').values.filter((v) => v.labels.action === 'math.add');
    expect(values.map((v) => [v.labels.caller, v.labels.type, v.labels.service, v.value])).to.deep.equal([
      [null, 'local', 'math', 3],
      ['math', 'local', 'math', 1],
    ]);
  });

  it('counts errors by name, code and type, as moleculer.request.error.total', () => {
    const values = metric('moleculer.request.error.total').values;
    expect(values).to.have.length(1);
    expect(values[0].labels).to.include({ action: 'math.fail', errorName: 'MoleculerClientError', errorCode: 418, errorType: 'TEAPOT' });
    expect(values[0].value).to.equal(1);
  });

  it('keeps a request-time histogram: cumulative buckets, count and sum of the finished calls', () => {
    const v = metric('moleculer.request.time').values.find((x) => x.labels.action === 'math.add' && x.labels.caller === null)!;
    const counts = Object.values(v.buckets!);
    for (let i = 1; i < counts.length; i++) expect(counts[i]).to.be.at.least(counts[i - 1]);
    expect(counts[counts.length - 1]).to.equal(3);
    expect(v.count).to.equal(3);
    expect(v.sum).to.be.a('number').and.at.least(0);
  });

  it("still validates parameters (Moleculer's other middlewares are in place)", async () => {
    const err = await broker.call('math.add', { a: 'x', b: 1 }).catch((e: unknown) => e);
    expect((err as Error).name).to.equal('ValidationError');
  });

  it('leaves filtered listings to the registry alone', () => {
    const listed = broker.metrics.list({ includes: ['process.*'] }) as Listed;
    expect(listed.some((m) => m.name.startsWith('moleculer.request'))).to.equal(false);
  });
});
