import { expect } from 'chai';
import { GridbusError, toErrorView } from '../../../../core/errors';
import { BulkheadFullError, createBulkhead, flushMicrotasks } from '../../../../core/resilience';

function deferred<T = string>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

/** N calls held open by the test; `started` lists them in start order. */
function harness(concurrency: number, queue: number) {
  const bulkhead = createBulkhead({ concurrency, queue }, { key: 'billing.query' });
  const started: number[] = [];
  const gates = new Map<number, ReturnType<typeof deferred<string>>>();
  const call = (n: number) => {
    const gate = deferred();
    gates.set(n, gate);
    return bulkhead.execute(() => { started.push(n); return gate.promise; });
  };
  return { bulkhead, started, call, gate: (n: number) => gates.get(n)! };
}

describe('core/resilience - bulkhead', () => {
  it('limits - runs at most `concurrency` calls; the rest wait', async () => {
    const h = harness(2, 2);
    const results = [1, 2, 3, 4].map((n) => h.call(n));
    await flushMicrotasks();
    expect(h.started).to.deep.equal([1, 2]);
    expect(h.bulkhead.running()).to.equal(2);
    expect(h.bulkhead.queued()).to.equal(2);
    h.gate(1).resolve('one');
    expect(await results[0]).to.equal('one');
    await flushMicrotasks();
    expect(h.started).to.deep.equal([1, 2, 3]);
    expect(h.bulkhead.snapshot()).to.include({ running: 2, queued: 1 });
  });

  it('queue - waiting calls start in arrival order (FIFO)', async () => {
    const h = harness(1, 3);
    const results = [1, 2, 3, 4].map((n) => h.call(n));
    for (const n of [1, 2, 3, 4]) {
      await flushMicrotasks();
      expect(h.started.at(-1), `call ${n} is the one running`).to.equal(n);
      h.gate(n).resolve(`r${n}`);
    }
    expect(await Promise.all(results)).to.deep.equal(['r1', 'r2', 'r3', 'r4']);
    expect(h.started).to.deep.equal([1, 2, 3, 4]);
  });

  it('full - refuses at once with BulkheadFullError beyond concurrency + queue', async () => {
    const h = harness(2, 1);
    [1, 2, 3].forEach((n) => void h.call(n));
    let ran = false;
    const err = await h.bulkhead.execute(async () => { ran = true; }).catch((e: unknown) => e);
    expect(ran).to.equal(false);
    expect(err).to.be.instanceOf(BulkheadFullError).and.instanceOf(GridbusError);
    const e = err as BulkheadFullError;
    expect(e.errorCode).to.equal('SERVICE_UNAVAILABLE');
    expect(e.status).to.equal(503);
    expect(toErrorView(e).details).to.deep.equal({ reason: 'BULKHEAD_FULL', key: 'billing.query', concurrency: 2, queue: 1 });
    expect(h.bulkhead.snapshot()).to.deep.equal({ key: 'billing.query', concurrency: 2, queue: 1, running: 2, queued: 1, rejected: 1 });
  });

  it('full - with queue 0 nothing waits', async () => {
    const h = harness(1, 0);
    void h.call(1);
    const err = await h.call(2).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(BulkheadFullError);
    expect(h.started).to.deep.equal([1]);
  });

  it('release - a failing call frees its slot (rejection or synchronous throw)', async () => {
    const h = harness(1, 2);
    const p1 = h.call(1);
    const p2 = h.bulkhead.execute((() => { throw new Error('sync'); }) as () => Promise<string>);
    const p3 = h.call(3);
    h.gate(1).reject(new GridbusError('BACKEND_UNAVAILABLE', 'down'));
    expect(((await p1.catch((e: unknown) => e)) as GridbusError).errorCode).to.equal('BACKEND_UNAVAILABLE');
    expect(((await p2.catch((e: unknown) => e)) as Error).message).to.equal('sync');
    await flushMicrotasks();
    expect(h.started).to.deep.equal([1, 3]);
    h.gate(3).resolve('three');
    expect(await p3).to.equal('three');
    expect(h.bulkhead.snapshot()).to.include({ running: 0, queued: 0 });
    // and the capacity is whole again
    const again = [4, 5].map((n) => h.call(n));
    await flushMicrotasks();
    expect(h.bulkhead.snapshot()).to.include({ running: 1, queued: 1 });
    h.gate(4).resolve('4');
    await flushMicrotasks();
    h.gate(5).resolve('5');
    expect(await Promise.all(again)).to.deep.equal(['4', '5']);
  });

  it('options - refuses impossible settings', () => {
    expect(() => createBulkhead({ concurrency: 0 })).to.throw(RangeError, /concurrency/);
    expect(() => createBulkhead({ queue: -1 })).to.throw(RangeError, /queue/);
  });
});
