import { expect } from 'chai';
import { ChangedReadLock, Clock, ListedFile, NoReadLock } from '../../../../adapters/sftp/read-lock';

/** A clock whose sleep() advances time at once and lets the test change the directory while "waiting". */
class FakeClock implements Clock {
  t = 1_700_000_000_000;
  sleeps: number[] = [];
  onSleep: (() => void) | null = null;
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
    this.onSleep?.();
  }
}

/** A directory whose listing the test edits. */
class FakeDir {
  files = new Map<string, ListedFile>();
  lists = 0;
  put(name: string, size: number, mtime: number): ListedFile {
    const f = { name, size, mtime };
    this.files.set(name, f);
    return f;
  }
  list(): ListedFile[] {
    return [...this.files.values()].map((f) => ({ ...f }));
  }
  relist = async (): Promise<ListedFile[]> => {
    this.lists++;
    return this.list();
  };
}

const names = (files: ListedFile[]) => files.map((f) => f.name);

describe('adapters/sftp - read lock', () => {
  describe('changed', () => {
    it('takes a file whose size and mtime agree across two checks one interval apart', async () => {
      const clock = new FakeClock();
      const dir = new FakeDir();
      dir.put('a.csv', 100, clock.t - 5000);
      const lock = new ChangedReadLock({ checkInterval: 1000, minAge: 0, minLength: 1 }, clock);
      const got = await lock.acquire(dir.list(), dir.relist);
      expect(names(got)).to.deep.equal(['a.csv']);
      expect(clock.sleeps).to.deep.equal([1000]);
      expect(dir.lists).to.equal(1);
    });

    it('skips a file still growing between the checks, and takes it once it stops', async () => {
      const clock = new FakeClock();
      const dir = new FakeDir();
      dir.put('big.dat', 10, clock.t);
      const lock = new ChangedReadLock({ checkInterval: 1000, minAge: 0, minLength: 1 }, clock);
      clock.onSleep = () => dir.put('big.dat', 20, clock.t); // the writer appends while we wait
      expect(names(await lock.acquire(dir.list(), dir.relist))).to.deep.equal([]);

      clock.onSleep = null; // the writer has finished
      clock.t += 500;
      expect(names(await lock.acquire(dir.list(), dir.relist))).to.deep.equal(['big.dat']);
    });

    it('a file unchanged since an earlier poll (>= interval ago) is taken without waiting', async () => {
      const clock = new FakeClock();
      const dir = new FakeDir();
      dir.put('a.csv', 5, clock.t - 10_000);
      const lock = new ChangedReadLock({ checkInterval: 1000, minAge: 0, minLength: 1 }, clock);
      clock.onSleep = () => dir.put('a.csv', 6, clock.t);
      expect(names(await lock.acquire(dir.list(), dir.relist))).to.deep.equal([]);
      clock.onSleep = null;
      clock.t += 5000; // next poll, much later: (6, mtime) was first seen one poll ago
      const before = clock.sleeps.length;
      expect(names(await lock.acquire(dir.list(), dir.relist))).to.deep.equal(['a.csv']);
      expect(clock.sleeps.length, 'no wait needed').to.equal(before);
    });

    it('waits once per poll for all candidates, not once per file', async () => {
      const clock = new FakeClock();
      const dir = new FakeDir();
      for (let i = 0; i < 50; i++) dir.put(`f${i}`, 1, clock.t - 60_000);
      const lock = new ChangedReadLock({ checkInterval: 2000, minAge: 0, minLength: 1 }, clock);
      const got = await lock.acquire(dir.list(), dir.relist);
      expect(got).to.have.length(50);
      expect(clock.sleeps).to.deep.equal([2000]);
      expect(dir.lists).to.equal(1);
    });

    it('readLockMinAge: a file younger than the minimum age waits for a later poll, without sleeping for it', async () => {
      const clock = new FakeClock();
      const dir = new FakeDir();
      dir.put('young', 10, clock.t - 1000);
      dir.put('old', 10, clock.t - 120_000);
      const lock = new ChangedReadLock({ checkInterval: 1000, minAge: 60_000, minLength: 1 }, clock);
      expect(names(await lock.acquire(dir.list(), dir.relist))).to.deep.equal(['old']);
      dir.files.delete('old'); // the consumer moved it away
      clock.t += 60_000;
      expect(names(await lock.acquire(dir.list(), dir.relist))).to.deep.equal(['young']);
    });

    it('readLockMinLength: an empty file is not taken (Camel default 1); 0 allows it', async () => {
      const clock = new FakeClock();
      const dir = new FakeDir();
      dir.put('empty', 0, clock.t - 10_000);
      const strict = new ChangedReadLock({ checkInterval: 1000, minAge: 0, minLength: 1 }, clock);
      expect(await strict.acquire(dir.list(), dir.relist)).to.deep.equal([]);
      expect(clock.sleeps, 'no point waiting for it').to.deep.equal([]);
      const lax = new ChangedReadLock({ checkInterval: 1000, minAge: 0, minLength: 0 }, clock);
      expect(names(await lax.acquire(dir.list(), dir.relist))).to.deep.equal(['empty']);
    });

    it('a file that disappears while waiting is not returned and is forgotten', async () => {
      const clock = new FakeClock();
      const dir = new FakeDir();
      dir.put('gone', 3, clock.t);
      dir.put('stays', 3, clock.t);
      const lock = new ChangedReadLock({ checkInterval: 1000, minAge: 0, minLength: 1 }, clock);
      clock.onSleep = () => dir.files.delete('gone');
      expect(names(await lock.acquire(dir.list(), dir.relist))).to.deep.equal(['stays']);
    });

    it('keeps the candidates order (oldest first is decided by the consumer)', async () => {
      const clock = new FakeClock();
      const dir = new FakeDir();
      const c = [dir.put('z', 1, clock.t - 9000), dir.put('a', 1, clock.t - 8000), dir.put('m', 1, clock.t - 7000)];
      const lock = new ChangedReadLock({ checkInterval: 100, minAge: 0, minLength: 1 }, clock);
      expect(names(await lock.acquire(c, dir.relist))).to.deep.equal(['z', 'a', 'm']);
    });

    it('a failed lock leaves nothing behind: the file is simply offered again next poll', async () => {
      const clock = new FakeClock();
      const dir = new FakeDir();
      dir.put('x', 1, clock.t);
      const lock = new ChangedReadLock({ checkInterval: 1000, minAge: 0, minLength: 1 }, clock);
      let size = 1;
      clock.onSleep = () => dir.put('x', ++size, clock.t);
      for (let i = 0; i < 3; i++) expect(await lock.acquire(dir.list(), dir.relist)).to.deep.equal([]);
      clock.onSleep = null;
      clock.t += 1000;
      expect(names(await lock.acquire(dir.list(), dir.relist))).to.deep.equal(['x']);
    });
  });

  describe('none', () => {
    it('takes every candidate at once, without listing again', async () => {
      const dir = new FakeDir();
      dir.put('a', 0, 0);
      dir.put('b', 1, 0);
      expect(names(await new NoReadLock().acquire(dir.list()))).to.deep.equal(['a', 'b']);
      expect(dir.lists).to.equal(0);
    });

    it('readLockMinAge still applies: a file written less than minAge ago (a partner paused mid-upload) waits', async () => {
      const clock = new FakeClock();
      const dir = new FakeDir();
      dir.put('half.csv', 500, clock.t - 5_000);
      dir.put('old.csv', 900, clock.t - 31_000);
      const lock = new NoReadLock(30_000, clock);
      expect(names(await lock.acquire(dir.list()))).to.deep.equal(['old.csv']);
      clock.t += 25_000;
      expect(names(await lock.acquire(dir.list()))).to.deep.equal(['half.csv', 'old.csv']);
    });
  });
});
