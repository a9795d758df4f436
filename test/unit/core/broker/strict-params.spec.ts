import { expect } from 'chai';
import { Context, ServiceBroker } from 'moleculer';
import { loadConfig } from '../../../../config';
import { createBroker } from '../../../../core/broker/create-broker';
import { isRoutable, strictParamsMiddleware } from '../../../../core/broker/strict-params';
import { unsafeParamProblems } from '../../../../core/broker/unsafe-params';
import { toErrorView } from '../../../../core/errors';

/** What a call answers, in the bus vocabulary. */
async function outcome(p: Promise<unknown>) {
  try {
    return { ok: true as const, value: await p };
  } catch (err) {
    return { ok: false as const, view: toErrorView(err) };
  }
}

/** A body as moleculer-web turns it into params: JSON.parse, then Object.assign into `{}`. */
function asGatewayParams(json: string): Record<string, unknown> {
  return Object.assign({}, JSON.parse(json));
}

describe('core/broker - strict params of routable actions', () => {
  let broker: ServiceBroker;

  before(async () => {
    broker = createBroker(loadConfig({ LOG_LEVEL: 'fatal', NODE_ID: 'unit-strict-params' }));
    broker.createService({
      name: 'shop',
      actions: {
        // a routable action whose author forgot $$strict
        lenient: { params: { item: { type: 'string' } }, handler: (ctx: Context<{ item: string }>) => ({ item: ctx.params.item }) },
        // a routable action without any params schema
        bare: { handler: () => 'bare' },
        shorthand: () => 'shorthand',
        // only services call it: its schema is its own business
        internal: { visibility: 'public', params: { item: { type: 'string' } }, handler: (ctx: Context) => Object.keys(ctx.params as object) },
      },
    });
    await broker.start();
  });

  after(() => broker.stop());

  it('refuses an unknown field on a routable action that forgot $$strict, naming the field', async () => {
    const r = await outcome(broker.call('shop.lenient', { item: 'a', surprise: 1 }));
    expect(r.ok).to.equal(false);
    expect(r.ok === false && r.view).to.deep.include({ code: 'VALIDATION_FAILED', status: 422 });
    const problems = (r.ok === false && r.view.details?.problems) as Array<{ field: string; type: string }>;
    expect(problems).to.deep.include({ field: 'surprise', type: 'objectStrict', message: "'surprise' is not a parameter of this request" });
    expect(JSON.stringify(problems)).not.to.match(/nodeID|unit-strict-params|shop\.lenient/);
  });

  it('refuses any field on a routable action without params, also in shorthand form', async () => {
    for (const action of ['shop.bare', 'shop.shorthand']) {
      expect(await outcome(broker.call(action, {})), action).to.deep.include({ ok: true });
      const r = await outcome(broker.call(action, { surprise: 1 }));
      expect(r.ok === false && r.view.code, action).to.equal('VALIDATION_FAILED');
    }
  });

  it('refuses a body whose __proto__ became the prototype of the params, which the validator cannot see', async () => {
    const params = asGatewayParams('{"item":"a","__proto__":{"isAdmin":true}}');
    expect(Object.keys(params), 'what the validator sees').to.deep.equal(['item']);
    const r = await outcome(broker.call('shop.lenient', params));
    expect(r.ok === false && r.view.code).to.equal('VALIDATION_FAILED');
    expect(r.ok === false && r.view.details?.problems).to.deep.include({ field: '__proto__', type: 'forbiddenKey', message: "'__proto__' is not an allowed field name" });
  });

  it('names the prototype key even when other fields are missing (the check runs before the validator)', async () => {
    const r = await outcome(broker.call('shop.lenient', asGatewayParams('{"__proto__":{"x":1}}')));
    expect((r.ok === false && (r.view.details?.problems as Array<{ field: string }>)).map((p) => p.field)).to.include('__proto__');
  });

  it('refuses NUL characters before they reach a database', async () => {
    const r = await outcome(broker.call('shop.lenient', { item: 'a\u0000b' }));
    expect(r.ok === false && r.view.details?.problems).to.deep.include({ field: 'item', type: 'nullCharacter', message: "The 'item' field holds a NUL character" });
  });

  it('leaves actions only services call (visibility public) as their schema says', async () => {
    const r = await outcome(broker.call('shop.internal', { item: 'a', extra: 1 }));
    expect(r).to.deep.equal({ ok: true, value: ['item', 'extra'] });
  });

  it('refuses to create a routable action that declares $$strict other than true', () => {
    expect(() =>
      broker.createService({ name: 'loose', actions: { open: { params: { $$strict: 'remove' }, handler: () => 1 } } }),
    ).to.throw(/loose\.open is routable .* must refuse unknown fields/);
  });

  it('calls routable what Moleculer publishes to gateways, except its own $node actions', () => {
    expect(isRoutable('billing', undefined)).to.equal(true);
    expect(isRoutable('billing', 'published')).to.equal(true);
    expect(isRoutable('auth', 'public')).to.equal(false);
    expect(isRoutable('$node', undefined)).to.equal(false);
  });
});

describe('core/broker - strict params across nodes', () => {
  // two nodes over Moleculer's in-memory transporter: params cross as JSON, as over NATS
  const node = (nodeID: string, middlewares: unknown[]) => new ServiceBroker({ nodeID, namespace: 'unit-strict-remote', transporter: 'Fake', logger: false, middlewares: middlewares as never });
  let shopNode: ServiceBroker;

  before(async () => {
    shopNode = node('shop-node', [strictParamsMiddleware()]);
    shopNode.createService({ name: 'shop', actions: { lenient: { params: { item: { type: 'string' } }, handler: (ctx: Context<{ item: string }>) => ({ item: ctx.params.item }) } } });
    await shopNode.start();
  });

  after(() => shopNode.stop());

  async function callFrom(caller: ServiceBroker) {
    await caller.start();
    try {
      await caller.waitForServices('shop', 5000);
      return await outcome(caller.call('shop.lenient', asGatewayParams('{"item":"a","__proto__":{"isAdmin":true}}')));
    } finally {
      await caller.stop();
    }
  }

  it('the prototype does not survive the transporter: the action node alone would let it through', async () => {
    expect(await callFrom(node('gateway-plain', []))).to.deep.equal({ ok: true, value: { item: 'a' } });
  });

  it('so the calling node refuses it (remoteAction), before the params are serialised', async () => {
    const r = await callFrom(node('gateway-strict', [strictParamsMiddleware()]));
    expect(r.ok === false && r.view).to.deep.include({ code: 'VALIDATION_FAILED', status: 422 });
    expect(r.ok === false && r.view.details?.problems).to.deep.include({ field: '__proto__', type: 'forbiddenKey', message: "'__proto__' is not an allowed field name" });
  });
});

describe('core/broker - unsafe params', () => {
  it('finds prototype keys at any depth, with their path', () => {
    const parsed = JSON.parse('{"files":{"constructor":"x"},"samples":[{"prototype":1},{"__proto__":{"a":1}}]}');
    expect(unsafeParamProblems(parsed).map((p) => p.field).sort()).to.deep.equal(['files.constructor', 'samples[0].prototype', 'samples[1].__proto__']);
  });

  it('finds NUL characters in nested strings and in keys', () => {
    expect(unsafeParamProblems({ a: [{ b: 'x\u0000' }] })).to.deep.equal([{ field: 'a[0].b', type: 'nullCharacter', message: "The 'a[0].b' field holds a NUL character" }]);
    expect(unsafeParamProblems({ 'k\u0000': 'v' })[0]).to.include({ type: 'nullCharacter' });
  });

  it('passes ordinary params, primitives and absent params', () => {
    expect(unsafeParamProblems({ accountNo: '3301000001', limit: 5, note: 'tab\tand\nline', nested: { ok: [1, 'two'] } })).to.deep.equal([]);
    expect(unsafeParamProblems(undefined)).to.deep.equal([]);
    expect(unsafeParamProblems(null)).to.deep.equal([]);
    expect(unsafeParamProblems('x')).to.deep.equal([]);
  });

  it('stops after ten problems', () => {
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}`, '\u0000']));
    expect(unsafeParamProblems(many)).to.have.length(10);
  });
});
