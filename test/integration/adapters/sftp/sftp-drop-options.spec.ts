// The SFTP consumer's drop options (issue 9 items 13, 14, 18) against a real
// OpenSSH sshd and PostgreSQL: done files, readLockMinAge, the idempotent key
// (content hash by default), copies in .done/ never overwritten, reason files.
import { expect } from 'chai';
import { randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import { posix } from 'path';
import { Readable } from 'stream';
import SftpClient from 'ssh2-sftp-client';
import { DataSource } from 'typeorm';
import { PostgresIdempotentRepository, SftpConsumer, SftpConsumerOptions, SftpFileMetadata, SftpLogger } from '../../../../adapters/sftp';
import { parseKnownHosts, verifyHostKey } from '../../../../adapters/sftp/known-hosts';
import { openDatabase } from '../../../../core/db';
import { GridbusError } from '../../../../core/errors';
import { createFreshDatabase } from '../../../helpers/db';
import { requireEnv } from '../../../helpers/env';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

class Logs implements SftpLogger {
  lines: string[] = [];
  debug(): void {}
  info(): void {}
  warn(...a: unknown[]): void {
    this.lines.push(`WARN ${a.join(' ')}`);
  }
  error(...a: unknown[]): void {
    this.lines.push(`ERROR ${a.join(' ')}`);
  }
}

describe('adapters/sftp - drop options: done files, readLockMinAge, idempotentKey, reason files', function () {
  this.timeout(60_000);

  let host: string;
  let port: number;
  let username: string;
  let keyFile: string;
  let knownHostsFile: string;
  let root: string;
  let db: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;
  let repository: PostgresIdempotentRepository;
  let admin: SftpClient;
  const cleanup: Array<() => Promise<unknown>> = [];
  let dir: string;

  before(async function () {
    host = requireEnv('TEST_SFTP_HOST');
    port = Number(requireEnv('TEST_SFTP_PORT'));
    username = requireEnv('TEST_SFTP_USER');
    keyFile = requireEnv('TEST_SFTP_KEY');
    knownHostsFile = requireEnv('TEST_SFTP_KNOWN_HOSTS');
    root = requireEnv('TEST_SFTP_ROOT');
    requireEnv('TEST_DATABASE_URL');
    db = await createFreshDatabase();
    ({ dataSource } = await openDatabase(db.url));
    repository = new PostgresIdempotentRepository(dataSource);
    admin = new SftpClient('sftp-drop-spec-admin', { error: () => undefined, end: () => undefined, close: () => undefined });
    const entries = parseKnownHosts(readFileSync(knownHostsFile, 'utf8'));
    await admin.connect({ host, port, username, privateKey: readFileSync(keyFile), hostVerifier: (key: Buffer) => verifyHostKey(entries, host, port, key).ok });
  });

  after(async function () {
    await admin?.end().catch(() => undefined);
    await dataSource?.destroy().catch(() => undefined);
    await db?.drop();
  });

  beforeEach(async function () {
    dir = posix.join(root, `sftp-drop-${randomUUID().slice(0, 8)}`);
    await admin.mkdir(dir, true);
  });

  afterEach(async function () {
    while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
    if (this.currentTest?.state === 'passed') await admin.rmdir(dir, true).catch(() => undefined);
  });

  interface Seen {
    name: string;
    content: string;
    meta: SftpFileMetadata;
  }

  function consumer(opts: Partial<SftpConsumerOptions>, handler?: (body: Readable, meta: SftpFileMetadata) => Promise<void>, logs = new Logs()) {
    const seen: Seen[] = [];
    const c = new SftpConsumer(
      { host, port, username, privateKeyFile: keyFile, knownHostsFile, id: `drop:${dir}`, directory: dir, startScheduler: false, readLock: 'none', ...opts },
      {
        repository,
        logger: logs,
        handler: handler ?? (async (body, meta) => void seen.push({ name: meta.name, meta, content: await readAll(body) })),
      },
    );
    cleanup.push(() => c.stop());
    return { c, seen, logs };
  }

  const put = (name: string, content: string) => admin.put(Buffer.from(content), posix.join(dir, name));
  /** Sets a file's mtime (and atime) to `secondsAgo` before now, as a re-upload or a paused partner would leave it. */
  const age = (name: string, secondsAgo: number) =>
    new Promise<void>((resolve, reject) => {
      const t = Math.floor(Date.now() / 1000) - secondsAgo;
      (admin as unknown as { sftp: { utimes(p: string, a: number, m: number, cb: (e?: Error) => void): void } }).sftp.utimes(posix.join(dir, name), t, t, (e) => (e ? reject(e) : resolve()));
    });

  async function names(sub = ''): Promise<string[]> {
    const p = sub ? posix.join(dir, sub) : dir;
    if (!(await admin.exists(p))) return [];
    return (await admin.list(p)).map((e) => e.name).sort();
  }
  const text = async (path: string) => ((await admin.get(posix.join(dir, path))) as Buffer).toString('utf8');
  const rows = (name: string) =>
    dataSource.query(`SELECT state, outcome, attempts, duplicate_of, idempotent_key, target_path FROM sftp_processed_file WHERE endpoint_id = $1 AND name = $2 ORDER BY taken_at`, [`drop:${dir}`, name]);

  // ------------------------------------------------------------------ item 13: done files

  it('done files - a file without its .ok is not taken, then taken once the .ok appears; the .ok leaves with it into .done/', async () => {
    await put('pay-1.csv', 'half of the ');
    const { c, seen } = consumer({ doneFileName: '${file:name}.ok' });
    await c.start();
    expect((await c.poll()).processed, 'no .ok yet: the partner may still be uploading').to.deep.equal([]);
    // the partner resumes and finishes its upload, then writes the done file
    await admin.append(Buffer.from('payments file\n'), posix.join(dir, 'pay-1.csv'));
    expect((await c.poll()).processed).to.deep.equal([]);
    await put('pay-1.csv.ok', '');
    expect((await c.poll()).processed).to.deep.equal(['pay-1.csv']);
    expect(seen.map((s) => [s.name, s.content])).to.deep.equal([['pay-1.csv', 'half of the payments file\n']]);
    expect(await names(), 'no .ok piles up in the drop').to.deep.equal(['.done']);
    expect(await names('.done')).to.deep.equal(['pay-1.csv', 'pay-1.csv.ok']);
    expect((await c.poll()).processed, 'the .ok itself is never data').to.deep.equal([]);
  });

  it('done files - a partner naming ZF_<date>.csv with ${file:name.noext}.done: the .done gates it, a failure takes it to .failed/, delete removes it', async () => {
    await put('ZF_20251204.csv', '#合计,1,100\n');
    await put('ZF_20251205.csv', 'bad');
    await put('ZF_20251206.csv', 'later');
    await put('ZF_20251204.done', '');
    await put('ZF_20251205.done', '');
    const { c, seen } = consumer({ include: 'ZF_[0-9]{8}\\.(csv|done)', doneFileName: '${file:name.noext}.done' }, async (body, meta) => {
      const content = await readAll(body);
      if (content === 'bad') throw new GridbusError('VALIDATION_FAILED', 'line 1: no header');
      seen.push({ name: meta.name, meta, content });
    });
    await c.start();
    const r = await c.poll();
    expect(r.processed).to.deep.equal(['ZF_20251204.csv']);
    expect(r.failed).to.deep.equal(['ZF_20251205.csv']);
    expect(await names(), 'ZF_20251206 waits for its .done; no .done file was taken as data').to.deep.equal(['.done', '.failed', 'ZF_20251206.csv']);
    expect(await names('.done')).to.deep.equal(['ZF_20251204.csv', 'ZF_20251204.done']);
    expect(await names('.failed')).to.deep.equal(['ZF_20251205.csv', 'ZF_20251205.csv.reason.txt', 'ZF_20251205.done']);

    // Camel's delete: the file and its done file are removed after success
    const { c: d } = consumer({ id: `drop:${dir}:delete`, include: 'ZF_[0-9]{8}\\.(csv|done)', doneFileName: '${file:name.noext}.done', delete: true });
    await d.start();
    await put('ZF_20251206.done', '');
    expect((await d.poll()).processed).to.deep.equal(['ZF_20251206.csv']);
    expect(await names()).to.deep.equal(['.done', '.failed']);
    expect(await names('.done')).to.deep.equal(['ZF_20251204.csv', 'ZF_20251204.done']);
  });

  it('readLockMinAge - a file growing in two writes (the partner pauses) is not taken half; it is taken whole once old enough', async () => {
    await put('slow.dat', 'first half;');
    const { c, seen } = consumer({ readLock: 'changed', readLockCheckInterval: 200, readLockMinAge: '3s' });
    await c.start();
    await sleep(1200); // the partner pauses longer than the changed lock's interval
    expect((await c.poll()).processed, 'stable for the interval but younger than 3s').to.deep.equal([]);
    await admin.append(Buffer.from('second half\n'), posix.join(dir, 'slow.dat'));
    expect((await c.poll()).processed, 'written again just now').to.deep.equal([]);
    const deadline = Date.now() + 10_000;
    let taken: string[] = [];
    while (!taken.length && Date.now() < deadline) {
      await sleep(500);
      taken = (await c.poll()).processed;
    }
    expect(taken).to.deep.equal(['slow.dat']);
    expect(seen.map((s) => s.content)).to.deep.equal(['first half;second half\n']);
    expect(await names('.failed')).to.deep.equal([]);

    // readLock none (done-file drops) honours readLockMinAge too
    const { c: n, seen: nSeen } = consumer({ id: `drop:${dir}:none`, readLock: 'none', readLockMinAge: '30s' });
    await n.start();
    await put('young.dat', 'y');
    await put('old.dat', 'o');
    await age('old.dat', 60);
    expect((await n.poll()).processed).to.deep.equal(['old.dat']);
    expect(nSeen.map((s) => s.name)).to.deep.equal(['old.dat']);
  });

  // ------------------------------------------------------------------ item 14: idempotent key

  it('idempotentKey - the same content uploaded again with a new mtime is loaded once; .done/ keeps both copies, none overwritten', async () => {
    const content = 'serial,amount\nS1,100\nS2,200\n';
    await put('recon.csv', content);
    await age('recon.csv', 120);
    const { c, seen, logs } = consumer({});
    await c.start();
    expect((await c.poll()).processed).to.deep.equal(['recon.csv']);
    expect(seen[0].meta.idempotentKey).to.match(/^sha256:[0-9a-f]{64}$/);

    // the partner puts the same file again: new mtime, same bytes
    await put('recon.csv', content);
    const again = await c.poll();
    expect(again.processed).to.deep.equal([]);
    expect(again.duplicates).to.deep.equal(['recon.csv']);
    expect(seen, 'not handed over a second time').to.have.length(1);
    const copies = await names('.done');
    expect(copies).to.have.length(2);
    expect(copies[0]).to.equal('recon.csv');
    expect(copies[1]).to.match(/^recon~\d{17}\.csv$/);
    for (const copy of copies) expect(await text(`.done/${copy}`)).to.equal(content);
    expect(logs.lines.join('\n')).to.match(/recon\.csv is a duplicate of recon\.csv \(same idempotent key sha256:/);
    const r = await rows('recon.csv');
    expect(r.map((x: { state: string }) => x.state)).to.deep.equal(['done', 'duplicate']);
    expect(r[1]).to.include({ duplicate_of: 'recon.csv', idempotent_key: r[0].idempotent_key });
    expect(c.metrics()).to.include({ filesProcessed: 1, filesDuplicate: 1 });

    // the same bytes under another name are a duplicate too; new bytes under the old name are loaded
    await put('recon-copy.csv', content);
    await put('recon.csv', `${content}S3,300\n`);
    const third = await c.poll();
    expect(third.duplicates).to.deep.equal(['recon-copy.csv']);
    expect(third.processed).to.deep.equal(['recon.csv']);
    expect(await names('.done')).to.have.length(4);
    expect(seen.map((s) => s.content)).to.deep.equal([content, `${content}S3,300\n`]);
  });

  it('idempotentKey - a Camel expression (${file:name}-${file:size}) replaces the content hash', async () => {
    await put('a.txt', 'abc');
    await age('a.txt', 120);
    const { c, seen } = consumer({ idempotentKey: '${file:name}-${file:size}' });
    await c.start();
    expect((await c.poll()).processed).to.deep.equal(['a.txt']);
    expect(seen[0].meta.idempotentKey).to.equal('a.txt-3');
    await put('a.txt', 'xyz'); // other bytes, same name and size: the same key
    expect((await c.poll()).duplicates).to.deep.equal(['a.txt']);
    await put('a.txt', 'abcd');
    expect((await c.poll()).processed).to.deep.equal(['a.txt']);
    expect(seen.map((s) => s.content)).to.deep.equal(['abc', 'abcd']);
  });

  it('idempotent repository - a copy of content still in progress waits; a failed load holds no key; a done one makes duplicates (PostgreSQL)', async () => {
    const k = (name: string, mtime: number) => ({ endpointId: `drop:${dir}`, directory: dir, name, size: 3, mtime });
    const hash = `sha256:${randomUUID()}`;
    expect(await repository.begin(k('a.csv', 1000), 'me', '/a', hash)).to.deep.equal({ taken: true, attempt: 1 });
    expect(await repository.begin(k('b.csv', 2000), 'me', '/b', hash), 'a is still being loaded').to.deep.equal({ taken: false, attempt: 0 });
    await repository.decide(k('a.csv', 1000), 'failed', '/f/a.csv', { code: 'VALIDATION_FAILED', message: 'x' });
    await repository.finish(k('a.csv', 1000));
    expect(await repository.begin(k('b.csv', 2000), 'me', '/b', hash), 'a failed: b is loaded').to.deep.equal({ taken: true, attempt: 1 });
    await repository.decide(k('b.csv', 2000), 'done', '/d/b.csv');
    expect(await repository.begin(k('c.csv', 3000), 'me', '/c', hash), 'decided done, move pending: already a duplicate').to.deep.equal({ taken: true, attempt: 1, duplicateOf: 'b.csv' });
    await repository.finish(k('b.csv', 2000));
    expect(await repository.begin(k('a.csv', 1000), 'me', '/a', hash), 'the failed file put back: a duplicate of b now').to.deep.equal({ taken: true, attempt: 2, duplicateOf: 'b.csv' });
    // the partial unique index stops a second holder even if begin's check were bypassed
    let code: string | undefined;
    await dataSource
      .query(`INSERT INTO sftp_processed_file (endpoint_id, directory, name, size, mtime, state, owner, idempotent_key) VALUES ($1, $2, 'd.csv', 3, 4000, 'in-progress', 'x', $3)`, [`drop:${dir}`, dir, hash])
      .catch((e: { code?: string }) => (code = e.code));
    expect(code).to.equal('23505');
  });

  // ------------------------------------------------------------------ item 18: reason files

  it('reason files - created 0640; a retried file failing again gets a fresh reason file, never a stale one; an older failed copy is kept', async () => {
    await put('r.csv', 'bad');
    let message = 'first reason';
    const { c } = consumer({}, async (body) => {
      await readAll(body);
      throw new GridbusError('VALIDATION_FAILED', message);
    });
    await c.start();
    expect((await c.poll()).failed).to.deep.equal(['r.csv']);
    const reasonPath = posix.join(dir, '.failed/r.csv.reason.txt');
    expect((await admin.stat(reasonPath)).mode & 0o777).to.equal(0o640);
    expect(await text('.failed/r.csv.reason.txt')).to.contain('message: first reason').and.contain('attempt: 1');

    // an operator retries: the file goes back into the drop and fails again for another reason
    await admin.rename(posix.join(dir, '.failed/r.csv'), posix.join(dir, 'r.csv'));
    await admin.chmod(reasonPath, 0o666); // as the old code left it
    message = 'second reason';
    expect((await c.poll()).failed).to.deep.equal(['r.csv']);
    const reason = await text('.failed/r.csv.reason.txt');
    expect(reason).to.contain('message: second reason').and.contain('attempt: 2');
    expect(reason).not.to.contain('first reason');
    expect((await admin.stat(reasonPath)).mode & 0o777).to.equal(0o640);
    expect(await names('.failed'), 'no temp file left').to.deep.equal(['r.csv', 'r.csv.reason.txt']);

    // another upload of that name fails while the first failed copy is still there: both kept, each with its reason
    await put('r.csv', 'bad again');
    expect((await c.poll()).failed).to.deep.equal(['r.csv']);
    const failed = await names('.failed');
    expect(failed).to.have.length(4);
    const copy = failed.find((n) => /^r~\d{17}\.csv$/.test(n));
    expect(copy, failed.join(',')).to.be.a('string');
    expect(failed).to.include(`${copy}.reason.txt`);
    expect(await text(`.failed/${copy}`)).to.equal('bad again');
    expect(await text('.failed/r.csv')).to.equal('bad');
  });
});
