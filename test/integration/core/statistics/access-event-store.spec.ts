import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { openDatabase } from '../../../../core/db';
import { AccessEvent, AccessEventStore, batchOf } from '../../../../core/statistics';
import { createFreshDatabase } from '../../../helpers/db';

const DAY_MS = 86_400_000;

function event(at: number, extra: Partial<AccessEvent> = {}): AccessEvent {
  return { at, function: 'billing.getArrears', group: 'api', userId: 'u1', clientIp: '10.0.0.1', status: 200, outcome: 'ok', code: null, latencyMs: 10, requestId: 'r', ...extra };
}

describe('core/statistics - access event store on PostgreSQL', () => {
  let db: { url: string; drop(): Promise<void> };
  let ds: DataSource;

  before(async () => {
    db = await createFreshDatabase();
    ds = (await openDatabase(db.url)).dataSource;
  });

  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  beforeEach(() => ds.query('TRUNCATE access_event'));

  const count = async () => Number((await ds.query('SELECT count(*) AS n FROM access_event'))[0].n);

  it('writes a large batch in one statement, and skips what is not an access event', async () => {
    const store = new AccessEventStore(ds, { retentionDays: 90 });
    const batch = batchOf('gw-1', Array.from({ length: 7000 }, (_, i) => event(Date.now() - i)));
    const unusable = [{ at: 'yesterday' }, { function: '' }, { status: 42 }, { status: 200.5 }].map((bad) => batchOf('gw-1', [{ ...event(Date.now()), ...bad } as AccessEvent]).rows[0]);
    const result = await store.insert({ ...batch, rows: [...batch.rows, ...unusable, null as never] });
    expect(result).to.deep.equal({ written: 7000, skipped: 5 });
    expect(await count()).to.equal(7000);
  });

  it('derives the outcome from the status, whatever the event says', async () => {
    const store = new AccessEventStore(ds, { retentionDays: 90 });
    await store.insert(batchOf('gw-1', [event(Date.now(), { status: 503, outcome: 'ok', code: 'BACKEND_UNAVAILABLE' })]));
    const [row] = await ds.query('SELECT outcome, error_code FROM access_event');
    expect(row).to.deep.equal({ outcome: 'error', error_code: 'BACKEND_UNAVAILABLE' });
  });

  it('reads the fields of a row by name (another gateway version may order them otherwise, or add some)', async () => {
    const store = new AccessEventStore(ds, { retentionDays: 90 });
    const at = Date.parse('2026-11-25T10:00:00Z');
    await store.insert({ nodeId: 'gw-2', fields: ['status', 'function', 'at', 'colour', 'userId'], rows: [[404, 'binding.list', at, 'blue', 'u9']] });
    const [row] = await ds.query('SELECT at, function, status, outcome, user_id, route_group, latency_ms, node_id FROM access_event');
    expect(row).to.deep.equal({ at: new Date(at), function: 'binding.list', status: 404, outcome: 'refused', user_id: 'u9', route_group: null, latency_ms: 0, node_id: 'gw-2' });
  });

  it('prunes events older than the retention, at most once an hour', async () => {
    let now = Date.now();
    const store = new AccessEventStore(ds, { retentionDays: 90, now: () => now });
    await store.insert(batchOf('gw-1', [event(Date.now() - 91 * DAY_MS), event(Date.now() - 89 * DAY_MS), event(Date.now())]));
    expect(await store.pruneIfDue()).to.equal(1);
    expect(await count()).to.equal(2);
    await store.insert(batchOf('gw-1', [event(Date.now() - 200 * DAY_MS)]));
    now += 59 * 60_000;
    expect(await store.pruneIfDue(), 'not within the hour').to.equal(null);
    expect(await count()).to.equal(3);
    now += 60_000;
    expect(await store.pruneIfDue()).to.equal(1);
    expect(await count()).to.equal(2);
  });
});
