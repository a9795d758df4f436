import { expect } from 'chai';
import { ServiceBroker } from 'moleculer';
import { AccessBatch, eventsOf } from '../../../../core/statistics';
import { AccessEvents, AliasResolver } from '../../../../services/gateway/access-events';
import { GatewayRequest, GatewayResponse } from '../../../../services/gateway/types';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ACCOUNT = '3301000001';

/** Just enough of a ServerResponse: a status and end(). */
class FakeRes {
  statusCode = 200;
  $errorCode: string | undefined;
  body: string | undefined;
  end(chunk?: string): this {
    this.body = chunk;
    return this;
  }
}

type Alias = { action: string | null; method: string; fullPath: string };
const ARREARS: Alias = { action: 'billing.getArrears', method: 'GET', fullPath: '/api/v1/accounts/:accountNo/arrears' };
const API_ROUTE = { path: '/api/v1', opts: { policies: { group: 'api' } } };

function request(extra: Record<string, unknown> = {}): GatewayRequest {
  return {
    method: 'GET',
    url: `/accounts/${ACCOUNT}/arrears`,
    originalUrl: `/api/v1/accounts/${ACCOUNT}/arrears`,
    parsedUrl: `/api/v1/accounts/${ACCOUNT}/arrears`,
    headers: {},
    socket: { remoteAddress: '10.0.0.9' },
    $clientIp: '203.0.113.7',
    $requestId: 'req-1',
    $route: API_ROUTE,
    ...extra,
  } as unknown as GatewayRequest;
}

/**
 * Answers one request, then records it, as the gateway's accessLog does. An
 * error body carries its code noted on the response, as sendError and
 * sendRefusal leave it (error-response.spec.ts proves they do).
 */
function answer(events: AccessEvents, req: GatewayRequest, status: number, body: string, resolver: AliasResolver = { resolveAlias: () => false }, ms = 12.3456) {
  const res = new FakeRes();
  res.statusCode = status;
  const code = /^\{"code":"([A-Z_]+)"/.exec(body)?.[1];
  if (code) res.$errorCode = code;
  res.end(body);
  events.record(req, res as unknown as GatewayResponse, ms, resolver);
}

function collecting(options: { maxBatch?: number; maxDelayMs?: number; capacity?: number } = {}) {
  const batches: AccessBatch[] = [];
  const events = new AccessEvents('gw-1', { maxBatch: 500, maxDelayMs: 10_000, ...options, send: async (b) => void batches.push(b) });
  return { events, batches };
}

describe('services/gateway - access events', () => {
  describe('what one event says', () => {
    it('names the action of the alias, the user, the route group, and never the URL', async () => {
      const { events, batches } = collecting();
      const req = request({ $alias: ARREARS, $ctx: { meta: { user: { id: '2088000000000001' } } } });
      answer(events, req, 200, '{"accountNo":"3301000001","totalFen":100}');
      await events.close();
      const [e] = eventsOf(batches[0]);
      expect(batches[0].nodeId).to.equal('gw-1');
      expect(e).to.deep.include({
        function: 'billing.getArrears',
        group: 'api',
        userId: '2088000000000001',
        clientIp: '203.0.113.7',
        status: 200,
        outcome: 'ok',
        code: null,
        latencyMs: 12.346,
        requestId: 'req-1',
      });
      expect(e.at).to.be.closeTo(Date.now() - 12, 50);
      expect(JSON.stringify(batches)).to.not.contain(ACCOUNT);
    });

    it('takes the code of the error answer, and names the alias a refused request was for', async () => {
      const { events, batches } = collecting();
      // refused by authentication: moleculer-web has not set $alias yet
      const resolver: AliasResolver = { resolveAlias: (url, method) => (url === `/api/v1/accounts/${ACCOUNT}/arrears` && method === 'GET' ? { alias: ARREARS } : false) };
      answer(events, request(), 401, '{"code":"UNAUTHORIZED","message":"Authentication required","requestId":"req-1"}', resolver);
      await events.close();
      expect(eventsOf(batches[0])[0]).to.deep.include({ function: 'billing.getArrears', userId: null, status: 401, outcome: 'refused', code: 'UNAUTHORIZED' });
    });

    it('names an unbound URL by its route, an alias without an action by its path template', async () => {
      const { events, batches } = collecting();
      const unbound = request({ url: '/nothing-here', originalUrl: `/api/v1/nothing/${ACCOUNT}`, parsedUrl: `/api/v1/nothing/${ACCOUNT}` });
      answer(events, unbound, 404, '{"code":"NOT_FOUND","message":"No such route","requestId":"req-1"}');
      const live = request({ $alias: { action: null, method: 'GET', fullPath: '/health/live' }, $route: { path: '/health', opts: { policies: { group: 'ops' } } } });
      answer(events, live, 200, '{"status":"up"}');
      const fault = request({ $alias: ARREARS });
      answer(events, fault, 503, '{"code":"BACKEND_UNAVAILABLE","message":"The back-office system is temporarily unavailable","requestId":"req-1"}');
      const noRoute = request({ $route: undefined });
      answer(events, noRoute, 404, 'Not found');
      await events.close();
      expect(eventsOf(batches[0]).map((e) => [e.function, e.group, e.outcome, e.code])).to.deep.equal([
        ['GET /api/v1/*', 'api', 'refused', 'NOT_FOUND'],
        ['GET /health/live', 'ops', 'ok', null],
        ['billing.getArrears', 'api', 'error', 'BACKEND_UNAVAILABLE'],
        ['GET *', null, 'refused', null],
      ]);
      expect(JSON.stringify(batches)).to.not.contain(ACCOUNT);
    });
  });

  describe('batching', () => {
    it('emits one batch per maxBatch events', async () => {
      const { events, batches } = collecting({ maxBatch: 3 });
      for (let i = 0; i < 7; i++) answer(events, request({ $alias: ARREARS }), 200, '{}');
      await sleep(5);
      expect(batches.map((b) => b.rows.length)).to.deep.equal([3, 3]);
      expect(events.pending).to.equal(1);
    });

    it('emits what is held maxDelayMs after the first event', async () => {
      const { events, batches } = collecting({ maxBatch: 500, maxDelayMs: 30 });
      answer(events, request({ $alias: ARREARS }), 200, '{}');
      answer(events, request({ $alias: ARREARS }), 200, '{}');
      expect(batches).to.have.length(0);
      await sleep(60);
      expect(batches.map((b) => b.rows.length)).to.deep.equal([2]);
    });

    it('emits what is held when the gateway stops', async () => {
      const { events, batches } = collecting({ maxBatch: 500, maxDelayMs: 60_000 });
      for (let i = 0; i < 4; i++) answer(events, request({ $alias: ARREARS }), 200, '{}');
      await events.close();
      expect(batches.map((b) => b.rows.length)).to.deep.equal([4]);
    });

    it('holds at most `capacity` events while batches cannot leave, counts and warns about the dropped ones', async () => {
      const warnings: string[] = [];
      const broker = new ServiceBroker({ logger: false, metrics: { enabled: true, reporter: [] } });
      const events = new AccessEvents('gw-1', { maxBatch: 10, maxDelayMs: 10_000, capacity: 50, send: () => new Promise(() => undefined) });
      events.open(broker, { warn: (m) => warnings.push(m) });
      for (let i = 0; i < 10; i++) answer(events, request({ $alias: ARREARS }), 200, '{}');
      await sleep(5); // the first batch is out, and stuck
      for (let i = 0; i < 1000; i++) answer(events, request({ $alias: ARREARS }), 200, '{}');
      expect(events.pending).to.equal(50);
      expect(warnings).to.have.length(1); // at most one warning per 10 s
      expect(warnings[0]).to.match(/dropped \(buffer of 50 full\)/);
      await events.close(20); // gives up on the stuck batch: a stop is never held up
      expect(warnings.join('\n')).to.match(/did not leave within 20 ms of the stop; it and 50 events waiting behind it are lost/);
      const lost = broker.metrics.getMetric('gridbus.access.events.lost.total')!.get({ reason: 'dropped' }) as { value: number };
      expect(lost.value).to.equal(950);
    });

    it('counts a batch that could not be emitted, and goes on', async () => {
      const warnings: string[] = [];
      let calls = 0;
      const sent: AccessBatch[] = [];
      const events = new AccessEvents('gw-1', {
        maxBatch: 2,
        maxDelayMs: 10_000,
        send: async (b) => {
          if (calls++ === 0) throw new Error('not connected');
          sent.push(b);
        },
      });
      events.open(null, { warn: (m) => warnings.push(m) });
      for (let i = 0; i < 4; i++) answer(events, request({ $alias: ARREARS }), 200, '{}');
      await events.close();
      expect(sent.map((b) => b.rows.length)).to.deep.equal([2]);
      expect(warnings.join('\n')).to.match(/2 not emitted \(not connected\)/);
    });
  });

  it('reaches the statistics group through the broker, and counts lost events on its metrics', async () => {
    const broker = new ServiceBroker({ logger: false, metrics: { enabled: true, reporter: [] } });
    const received: AccessBatch[] = [];
    broker.createService({ name: 'statistics', events: { 'access.batch': { group: 'statistics', handler: (ctx: { params: AccessBatch }) => void received.push(ctx.params) } } });
    broker.createService({ name: 'other', events: { 'access.batch': { group: 'other', handler: () => expect.fail('only the statistics group is emitted to') } } });
    await broker.start();
    try {
      const events = new AccessEvents('gw-1', { maxBatch: 2 });
      events.open(broker, { warn: () => undefined });
      answer(events, request({ $alias: ARREARS }), 200, '{}');
      await events.close();
      expect(received).to.have.length(1);
      expect(eventsOf(received[0])[0].function).to.equal('billing.getArrears');
      expect(broker.metrics.getMetric('gridbus.access.events.lost.total')).to.not.equal(null);
    } finally {
      await broker.stop();
    }
  });
});
