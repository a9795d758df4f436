import { expect } from 'chai';
import { Batcher, BatcherOptions } from '../../../../core/batching';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A batcher whose writes are recorded; `hold()` makes the next writes wait until `release()`. */
function recording(options: Partial<BatcherOptions<number>> = {}) {
  const batches: number[][] = [];
  let gate: Promise<void> | null = null;
  let open: () => void = () => undefined;
  const batcher = new Batcher<number>({
    maxBatch: 5,
    maxDelayMs: 40,
    async write(batch) {
      batches.push(batch);
      if (gate) await gate;
    },
    ...options,
  });
  return {
    batcher,
    batches,
    hold() {
      gate = new Promise((r) => (open = r));
    },
    release() {
      gate = null;
      open();
    },
  };
}

describe('core/batching - batcher', () => {
  it('writes a batch as soon as maxBatch items are held, without waiting for the delay', async () => {
    const { batcher, batches } = recording({ maxDelayMs: 10_000 });
    for (let i = 1; i <= 12; i++) batcher.add(i);
    await sleep(5);
    expect(batches).to.deep.equal([
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
    ]);
    expect(batcher.size).to.equal(2);
    await batcher.flush();
    expect(batches[2]).to.deep.equal([11, 12]);
  });

  it('writes fewer than maxBatch items maxDelayMs after the first of them', async () => {
    const { batcher, batches } = recording({ maxDelayMs: 40 });
    batcher.add(1);
    await sleep(15);
    batcher.add(2);
    expect(batches).to.deep.equal([]);
    await sleep(45);
    expect(batches).to.deep.equal([[1, 2]]);
    // the next item starts a new delay
    batcher.add(3);
    await sleep(60);
    expect(batches).to.deep.equal([[1, 2], [3]]);
  });

  it('runs one write at a time: what arrives meanwhile waits and leaves in batches of at most maxBatch', async () => {
    const r = recording();
    r.hold();
    for (let i = 1; i <= 5; i++) r.batcher.add(i);
    await sleep(5);
    for (let i = 6; i <= 17; i++) r.batcher.add(i);
    await sleep(5);
    expect(r.batches).to.have.length(1);
    expect(r.batcher.size).to.equal(12);
    r.release();
    await r.batcher.flush();
    expect(r.batches).to.deep.equal([
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
      [11, 12, 13, 14, 15],
      [16, 17],
    ]);
  });

  it('holds at most `capacity` items: the oldest are dropped and counted, add never blocks', async () => {
    let drops = 0;
    const r = recording({ capacity: 8, onDrop: () => drops++ });
    r.hold(); // the first batch leaves and never comes back
    for (let i = 1; i <= 5; i++) r.batcher.add(i);
    await sleep(5);
    for (let i = 6; i <= 30; i++) r.batcher.add(i);
    expect(r.batcher.size).to.equal(8);
    expect(r.batcher.dropped).to.equal(17);
    expect(drops).to.equal(17);
    expect(r.batches).to.deep.equal([[1, 2, 3, 4, 5]]);
  });

  it('keeps the newest items when over capacity, and loses none of them once writes resume', async () => {
    const r = recording({ capacity: 1000, maxBatch: 100 });
    r.hold();
    for (let i = 0; i < 100; i++) r.batcher.add(i);
    await sleep(5);
    for (let i = 100; i < 5100; i++) r.batcher.add(i);
    expect(r.batcher.dropped).to.equal(4000);
    r.release();
    await r.batcher.flush();
    const written = r.batches.flat();
    expect(written.slice(0, 100)).to.deep.equal(Array.from({ length: 100 }, (_, i) => i));
    expect(written.slice(100)).to.deep.equal(Array.from({ length: 1000 }, (_, i) => 4100 + i));
  });

  it('flush resolves once everything added before it is written, also while a write is under way', async () => {
    const r = recording();
    r.hold();
    for (let i = 1; i <= 7; i++) r.batcher.add(i);
    const flushed = r.batcher.flush();
    let done = false;
    void flushed.then(() => (done = true));
    await sleep(5);
    expect(done).to.equal(false);
    r.release();
    await flushed;
    expect(r.batches.flat()).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
  });

  it('close writes what is held, and afterwards each item leaves at once', async () => {
    const { batcher, batches } = recording({ maxDelayMs: 10_000 });
    batcher.add(1);
    batcher.add(2);
    await batcher.close();
    expect(batches).to.deep.equal([[1, 2]]);
    batcher.add(3);
    await sleep(5);
    expect(batches).to.deep.equal([[1, 2], [3]]);
  });

  it('reports a failed write and goes on with the next batch', async () => {
    const failures: Array<[string, number[]]> = [];
    const written: number[][] = [];
    let calls = 0;
    const batcher = new Batcher<number>({
      maxBatch: 2,
      maxDelayMs: 10_000,
      write(batch) {
        if (calls++ === 0) throw new Error('bus down');
        written.push(batch);
      },
      onError: (err, batch) => failures.push([err.message, batch]),
    });
    for (let i = 1; i <= 4; i++) batcher.add(i);
    await batcher.flush();
    expect(failures).to.deep.equal([['bus down', [1, 2]]]);
    expect(written).to.deep.equal([[3, 4]]);
  });
});
