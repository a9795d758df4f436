import { expect } from 'chai';
import { GridbusError } from '../../../../../core/errors';
import { ANSWERED, Handler, PolicyCall, RoutedAlias } from '../../../../../services/gateway/policies/contract';
import { Pipeline, runPipeline } from '../../../../../services/gateway/policies/pipeline';
import { refusal } from '../../../../../services/gateway/policies/refusal';
import { FakeRes, fakeReq } from './fakes';

const alias: RoutedAlias = { method: 'POST', path: 'x', action: 'svc.x' };
const web = { resolveAlias: (_url: string, method: string) => (method === 'POST' ? { alias } : false) as { alias: RoutedAlias } | false };

function pipeline(parts: Partial<Pipeline> = {}): Pipeline {
  return { connection: [], caller: [], body: [], refused: [], ...parts };
}

function run(p: Pipeline, opts: { method?: string; headers?: Record<string, string>; authenticate?: () => Promise<{ id: string } | null> } = {}) {
  const req = fakeReq({ method: opts.method ?? 'POST', headers: opts.headers, url: '/r/x' });
  (req as { parsedUrl?: string }).parsedUrl = '/r/x';
  const res = new FakeRes();
  const call: PolicyCall = { req, res: res.res, clientIp: '10.0.0.1', alias, user: null, refusal: null };
  const seen: { next: unknown[] } = { next: [] };
  const authenticate = opts.authenticate ? { fn: opts.authenticate, self: null, route: {} } : null;
  runPipeline(p, call, web, authenticate, (err?: unknown) => seen.next.push(err ?? 'next'));
  return { res, call, seen };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('gateway/policies - pipeline (phases in order, one contract)', () => {
  it('synchronous handlers: the request goes on without waiting for a promise', () => {
    const order: string[] = [];
    const h = (name: string): Handler => () => void order.push(name);
    const { seen } = run(pipeline({ connection: [h('a'), h('b')], caller: [h('c')], body: [h('d')] }));
    expect(order).to.deep.equal(['a', 'b', 'c', 'd']);
    expect(seen.next).to.deep.equal(['next']);
  });

  it('OPTIONS never goes past the connection phase: a preflight is refused, a plain OPTIONS gets Allow', () => {
    let later = false;
    const preflight = run(pipeline({ caller: [() => void (later = true)] }), { method: 'OPTIONS', headers: { 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.seen.next).to.deep.equal([]);
    expect(preflight.res.statusCode).to.equal(403);
    expect(preflight.res.json()).to.deep.include({ code: 'FORBIDDEN', details: { reason: 'CORS origin not allowed' } });
    const plain = run(pipeline(), { method: 'OPTIONS' });
    expect(plain.seen.next).to.deep.equal([]);
    expect(plain.res.statusCode).to.equal(204);
    expect(plain.res.getHeader('allow')).to.equal('OPTIONS, POST');
    expect(later).to.equal(false);
  });

  it('a policy that answered (ANSWERED) ends the request', () => {
    const { seen } = run(pipeline({ connection: [() => ANSWERED] }), { method: 'OPTIONS', headers: { 'Access-Control-Request-Method': 'POST' } });
    expect(seen.next).to.deep.equal([]);
  });

  it('the token is checked before the body: a refused token never reaches the body phase, the announced body is not read', async () => {
    let bodyRead = false;
    const err = new GridbusError('UNAUTHORIZED', 'Authentication required', { details: { reason: 'token missing' } });
    const { seen, res } = run(pipeline({ body: [() => void (bodyRead = true)] }), {
      headers: { 'Content-Length': '2097152', 'Content-Type': 'application/json' },
      authenticate: () => Promise.reject(err),
    });
    await tick();
    expect(bodyRead).to.equal(false);
    expect(seen.next).to.deep.equal([err]);
    expect(res.getHeader('connection')).to.equal('close');
  });

  it('the caller phase sees the authenticated user', async () => {
    let user: unknown;
    run(pipeline({ caller: [(call) => void (user = call.user)] }), { authenticate: async () => ({ id: 'op-1' }) });
    await tick();
    expect(user).to.deep.equal({ id: 'op-1' });
  });

  it('refused: a policy may replace the refusal (an IP ban for a flood of bad tokens)', async () => {
    const seenRefusals: unknown[] = [];
    const { res, seen } = run(
      pipeline({
        refused: [
          (call) => {
            seenRefusals.push(call.refusal?.code);
            return refusal('IP_BANNED', 'banned', { retryAfterS: 30 });
          },
        ],
      }),
      { authenticate: () => Promise.reject(new GridbusError('UNAUTHORIZED', 'no')) },
    );
    await tick();
    expect(seenRefusals).to.deep.equal(['UNAUTHORIZED']);
    expect(seen.next).to.deep.equal([]);
    expect(res.statusCode).to.equal(429);
    expect(res.getHeader('retry-after')).to.equal('30');
  });

  it('a handler that throws hands the error to moleculer-web', () => {
    const boom = new Error('boom');
    const { seen } = run(pipeline({ connection: [() => { throw boom; }] }));
    expect(seen.next).to.deep.equal([boom]);
  });
});
