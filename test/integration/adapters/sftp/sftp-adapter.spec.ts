// The SFTP adapter against a real OpenSSH sshd (scripts/services.sh up sftp)
// and a real PostgreSQL (idempotent repository, migrations applied by
// openDatabase on a fresh database).
import { expect } from 'chai';
import { createHash, randomBytes, randomUUID } from 'crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { Socket } from 'net';
import { tmpdir } from 'os';
import { join, posix } from 'path';
import { Readable } from 'stream';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';
import SftpClient from 'ssh2-sftp-client';
import { DataSource } from 'typeorm';
import {
  PostgresIdempotentRepository,
  SftpConsumer,
  SftpConsumerOptions,
  SftpFileMetadata,
  SftpLogger,
  SftpProducer,
  noDelaySocket,
} from '../../../../adapters/sftp';
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

interface Seen {
  name: string;
  content: string;
  meta: SftpFileMetadata;
  isStream: boolean;
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

describe('adapters/sftp - SFTP adapter on OpenSSH and PostgreSQL', function () {
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
    admin = new SftpClient('sftp-spec-admin', { error: () => undefined, end: () => undefined, close: () => undefined });
    const entries = parseKnownHosts(readFileSync(knownHostsFile, 'utf8'));
    await admin.connect({
      host,
      port,
      username,
      privateKey: readFileSync(keyFile),
      hostVerifier: (key: Buffer) => verifyHostKey(entries, host, port, key).ok,
    });
  });

  after(async function () {
    await admin?.end().catch(() => undefined);
    await dataSource?.destroy().catch(() => undefined);
    await db?.drop();
  });

  beforeEach(async function () {
    dir = posix.join(root, `sftp-spec-${randomUUID().slice(0, 8)}`);
    await admin.mkdir(dir, true);
  });

  afterEach(async function () {
    while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
    if (this.currentTest?.state === 'passed') await admin.rmdir(dir, true).catch(() => undefined);
  });

  function connection() {
    return { host, port, username, privateKeyFile: keyFile, knownHostsFile, reconnectDelay: 20, maxReconnectDelay: 200 };
  }

  function consumer(opts: Partial<SftpConsumerOptions>, handler?: (body: Readable, meta: SftpFileMetadata) => Promise<void>, extra: { logs?: Logs; socketFactory?: typeof noDelaySocket } = {}) {
    const seen: Seen[] = [];
    const c = new SftpConsumer(
      { ...connection(), id: `spec:${dir}`, directory: dir, startScheduler: false, readLock: 'none', ...opts },
      {
        repository,
        logger: extra.logs ?? new Logs(),
        socketFactory: extra.socketFactory,
        handler:
          handler ??
          (async (body, meta) => {
            seen.push({ name: meta.name, meta, isStream: body instanceof Readable && !Buffer.isBuffer(body), content: await readAll(body) });
          }),
      },
    );
    cleanup.push(() => c.stop());
    return { c, seen };
  }

  async function put(name: string, content: string | Buffer): Promise<void> {
    await admin.put(Buffer.isBuffer(content) ? content : Buffer.from(content), posix.join(dir, name));
  }

  async function names(sub = ''): Promise<string[]> {
    const p = sub ? posix.join(dir, sub) : dir;
    if (!(await admin.exists(p))) return [];
    return (await admin.list(p)).map((e) => e.name).sort();
  }

  async function text(path: string): Promise<string> {
    return ((await admin.get(posix.join(dir, path))) as Buffer).toString('utf8');
  }

  async function row(name: string) {
    const rows = await dataSource.query(`SELECT state, attempts, outcome, target_path, error_code, error_message, location FROM sftp_processed_file WHERE endpoint_id = $1 AND name = $2`, [`spec:${dir}`, name]);
    return rows;
  }

  // ------------------------------------------------------------------ consumer

  it('consumer - hands a file over as a stream with its metadata, then moves it to .done and records it done', async () => {
    await put('a.txt', 'hello sftp\n');
    const { c, seen } = consumer({});
    expect((await c.health()).status).to.equal('down');
    await c.start();
    expect((await c.health()).status).to.equal('up');
    const r = await c.poll();
    expect(r).to.deep.include({ connected: true, processed: ['a.txt'], failed: [], interrupted: false });
    expect(seen).to.have.length(1);
    expect(seen[0].isStream).to.equal(true);
    expect(seen[0].content).to.equal('hello sftp\n');
    expect(seen[0].meta).to.include({ name: 'a.txt', size: 11, path: posix.join(dir, 'a.txt'), directory: dir, attempt: 1 });
    expect(seen[0].meta.mtime).to.be.instanceOf(Date);
    expect(Math.abs(seen[0].meta.mtime.getTime() - Date.now())).to.be.below(60_000);
    expect(await names()).to.deep.equal(['.done']);
    expect(await names('.done')).to.deep.equal(['a.txt']);
    expect(await text('.done/a.txt')).to.equal('hello sftp\n');
    expect(await row('a.txt')).to.deep.equal([
      { state: 'done', attempts: 1, outcome: 'done', target_path: posix.join(dir, '.done/a.txt'), error_code: null, error_message: null, location: posix.join(dir, 'a.txt') },
    ]);
    const m = c.metrics();
    expect(m).to.include({ filesProcessed: 1, filesFailed: 0, bytesProcessed: 11, polls: 1, connected: true });
    expect(m.lastPollAt).to.be.a('number');
    expect((await c.poll()).processed).to.deep.equal([]);
    await c.stop();
    expect((await c.health()).status).to.equal('down');
  });

  it('consumer - preMove: the file is in .inprogress while handled; move supports ${date:now:yyyyMMdd}', async () => {
    await put('p.csv', 'x;y\n');
    const during: string[][] = [];
    const { c } = consumer({ preMove: '.inprogress', move: 'archive/${date:now:yyyyMMdd}/${file:name.noext}.processed' }, async (body, meta) => {
      during.push(await names(), await names('.inprogress'), [meta.path]);
      await readAll(body);
    });
    await c.start();
    expect((await c.poll()).processed).to.deep.equal(['p.csv']);
    expect(during[0]).to.deep.equal(['.inprogress']);
    expect(during[1]).to.deep.equal(['p.csv']);
    expect(during[2]).to.deep.equal([posix.join(dir, '.inprogress/p.csv')]);
    const d = new Date();
    const day = `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
    expect(await names(`archive/${day}`)).to.deep.equal(['p.processed']);
    expect(await names('.inprogress')).to.deep.equal([]);
  });

  it('consumer - readLock=changed skips a file still being written and takes it once it is stable', async () => {
    const path = posix.join(dir, 'growing.dat');
    const out = admin.createWriteStream(path);
    let written = 0;
    const writer = setInterval(() => {
      out.write(Buffer.alloc(1000, 65));
      written += 1000;
    }, 100);
    try {
      await sleep(300);
      const { c, seen } = consumer({ readLock: 'changed', readLockCheckInterval: 700 });
      await c.start();
      const first = await c.poll();
      expect(first.processed, 'growing during the check').to.deep.equal([]);
      expect(seen).to.have.length(0);
      clearInterval(writer);
      await new Promise<void>((resolve) => {
        out.once('close', () => resolve());
        out.end();
      });
      await sleep(50);
      const second = await c.poll();
      expect(second.processed).to.deep.equal(['growing.dat']);
      expect(seen[0].content.length).to.equal(written);
      expect(await row('growing.dat')).to.have.length(1); // the skipped poll left no record
    } finally {
      clearInterval(writer);
    }
  });

  it('consumer - doneFileName gates files; the done file leaves with its data file (into .done/)', async () => {
    await put('data.csv', 'd');
    await put('other.csv', 'o');
    await put('other.ok', '');
    const { c, seen } = consumer({ doneFileName: '${file:name}.done' });
    await c.start();
    expect((await c.poll()).processed, 'no done file yet (other.ok is not ours)').to.deep.equal([]);
    await put('data.csv.done', '');
    expect((await c.poll()).processed).to.deep.equal(['data.csv']);
    expect(seen.map((s) => s.name)).to.deep.equal(['data.csv']);
    expect(await names()).to.deep.equal(['.done', 'other.csv', 'other.ok']);
    expect(await names('.done')).to.deep.equal(['data.csv', 'data.csv.done']);

    const { c: c2 } = consumer({ id: `spec:${dir}:ok`, doneFileName: '${file:name.noext}.ok' });
    await c2.start();
    expect((await c2.poll()).processed, 'the .ok done file itself is never taken').to.deep.equal(['other.csv']);
    expect(await names()).to.deep.equal(['.done']);
  });

  it('consumer - include / exclude (whole-name regular expressions); hidden files are ignored', async () => {
    for (const n of ['a.csv', 'b.txt', 'tmp-c.csv', '.hidden.csv']) await put(n, n);
    const { c } = consumer({ include: '.*\\.csv', exclude: 'tmp-.*' });
    await c.start();
    expect((await c.poll()).processed).to.deep.equal(['a.csv']);
    expect(await names()).to.deep.equal(['.done', '.hidden.csv', 'b.txt', 'tmp-c.csv']);
  });

  it('consumer - maxMessagesPerPoll limits each poll; oldest first', async () => {
    for (const n of ['e', 'd', 'c', 'b', 'a']) await put(`${n}.txt`, n);
    const { c } = consumer({ maxMessagesPerPoll: 2 });
    await c.start();
    expect((await c.poll()).processed).to.have.length(2);
    expect((await c.poll()).processed).to.have.length(2);
    expect((await c.poll()).processed).to.have.length(1);
    expect(await names('.done')).to.deep.equal(['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt']);
  });

  it('consumer - a failing handler: the file goes to .failed with a reason file (typed code), the files around it are processed', async () => {
    for (const n of ['1-good.txt', '2-bad.txt', '3-boom.txt', '4-good.txt']) await put(n, n);
    const { c } = consumer({}, async (body, meta) => {
      await readAll(body);
      if (meta.name === '2-bad.txt') throw new GridbusError('VALIDATION_FAILED', 'line 3: amount is not a number');
      if (meta.name === '3-boom.txt') throw new Error('something unexpected');
    });
    await c.start();
    const r = await c.poll();
    expect(r.processed).to.deep.equal(['1-good.txt', '4-good.txt']);
    expect(r.failed).to.deep.equal(['2-bad.txt', '3-boom.txt']);
    expect(await names('.done')).to.deep.equal(['1-good.txt', '4-good.txt']);
    expect(await names('.failed')).to.deep.equal(['2-bad.txt', '2-bad.txt.reason.txt', '3-boom.txt', '3-boom.txt.reason.txt']);
    const reason = await text('.failed/2-bad.txt.reason.txt');
    expect(reason).to.contain('code: VALIDATION_FAILED').and.contain('message: line 3: amount is not a number').and.contain(`file: ${posix.join(dir, '2-bad.txt')}`);
    expect(await text('.failed/3-boom.txt.reason.txt')).to.contain('code: INTERNAL').and.contain('something unexpected');
    expect((await row('2-bad.txt'))[0]).to.include({ state: 'failed', error_code: 'VALIDATION_FAILED' });
    expect(c.metrics()).to.include({ filesProcessed: 2, filesFailed: 2 });

    // an operator puts the failed file back: it is taken again (attempt 2)
    await admin.rename(posix.join(dir, '.failed/2-bad.txt'), posix.join(dir, '2-bad.txt'));
    const again = await c.poll();
    expect(again.failed).to.deep.equal(['2-bad.txt']);
    expect((await row('2-bad.txt'))[0]).to.include({ state: 'failed', attempts: 2 });
  });

  it('consumer - restart: a new instance with the same repository never re-processes done files; same name with new size IS processed', async () => {
    await put('r.txt', 'version 1');
    const first = consumer({ noop: true });
    await first.c.start();
    expect((await first.c.poll()).processed).to.deep.equal(['r.txt']);
    await first.c.stop();

    const second = consumer({ noop: true });
    await second.c.start();
    expect((await second.c.poll()).processed, 'same name, size, mtime').to.deep.equal([]);
    expect(second.seen).to.have.length(0);
    expect(await names()).to.deep.equal(['r.txt']);

    await put('r.txt', 'version 2, longer');
    expect((await second.c.poll()).processed).to.deep.equal(['r.txt']);
    expect(second.seen[0].content).to.equal('version 2, longer');

    // with moves: a done file put back unchanged is not taken again either
    const third = consumer({ id: `spec:${dir}:moves`, include: 'm\\..*' });
    await put('m.txt', 'm');
    await third.c.start();
    expect((await third.c.poll()).processed).to.deep.equal(['m.txt']);
    await third.c.stop();
    await admin.rename(posix.join(dir, '.done/m.txt'), posix.join(dir, 'm.txt'));
    const fourth = consumer({ id: `spec:${dir}:moves`, include: 'm\\..*' });
    await fourth.c.start();
    expect((await fourth.c.poll()).processed).to.deep.equal([]);
    expect(await names()).to.include('m.txt');
  });

  it('consumer - a file in progress when the process died is handed over again by the next instance (at-least-once), then finished', async () => {
    await put('crash.txt', 'payload');
    let release!: (e: Error) => void;
    let handlerStarted!: () => void;
    const started = new Promise<void>((r) => (handlerStarted = r));
    const dying = consumer({ preMove: '.inprogress', shutdownTimeout: 50 }, (body) => {
      handlerStarted();
      body.resume();
      return new Promise<void>((_, reject) => (release = reject));
    });
    cleanup.push(async () => release?.(new Error('test over')));
    await dying.c.start();
    const polling = dying.c.poll();
    await started;
    // "crash": the handler never answers; stop gives up after shutdownTimeout and closes the session
    await dying.c.stop();
    expect(await names('.inprogress')).to.deep.equal(['crash.txt']);
    expect((await row('crash.txt'))[0]).to.include({ state: 'in-progress', outcome: null, attempts: 1 });

    const next = consumer({ preMove: '.inprogress' });
    await next.c.start();
    const r = await next.c.poll();
    expect(r.resumed).to.deep.equal(['crash.txt']);
    expect(r.processed).to.deep.equal(['crash.txt']);
    expect(next.seen[0].meta.attempt).to.equal(2);
    expect(next.seen[0].content).to.equal('payload');
    expect(await names('.inprogress')).to.deep.equal([]);
    expect(await names('.done')).to.deep.equal(['crash.txt']);
    expect((await row('crash.txt'))[0]).to.include({ state: 'done', attempts: 2 });

    // the old handler finally gives up: nothing changes
    release(new Error('late'));
    expect((await polling).interrupted).to.equal(true);
    expect(await names('.done')).to.deep.equal(['crash.txt']);
    expect(await names('.failed')).to.deep.equal([]);
  });

  it('consumer - the database failing mid-file is told apart from SFTP: the session stays, the file is handed over again next poll', async () => {
    await put('db.txt', 'db');
    let failDecide = true;
    const flaky = Object.assign(Object.create(repository) as PostgresIdempotentRepository, {
      decide: async (...args: Parameters<PostgresIdempotentRepository['decide']>) => {
        if (failDecide) {
          failDecide = false;
          throw new Error('Connection terminated unexpectedly');
        }
        return repository.decide(...args);
      },
    });
    const seen: number[] = [];
    const c = new SftpConsumer(
      { ...connection(), id: `spec:${dir}`, directory: dir, startScheduler: false, readLock: 'none', preMove: '.inprogress' },
      { repository: flaky, logger: new Logs(), handler: async (body, meta) => { seen.push(meta.attempt); await readAll(body); } },
    );
    cleanup.push(() => c.stop());
    await c.start();
    const first = await c.poll();
    expect(first.error!.data).to.include({ reason: 'REPOSITORY_UNAVAILABLE' });
    expect(first.processed).to.deep.equal([]);
    expect(c.metrics().connected, 'the SFTP session is not blamed').to.equal(true);
    expect((await c.health()).status).to.equal('degraded');
    expect(await names('.inprogress')).to.deep.equal(['db.txt']);
    const second = await c.poll();
    expect(second.resumed).to.deep.equal(['db.txt']);
    expect(second.processed).to.deep.equal(['db.txt']);
    expect(seen).to.deep.equal([1, 2]);
    expect((await c.health()).status).to.equal('up');
    expect(c.metrics().reconnects).to.equal(0);
  });

  it('consumer - the scheduler polls every `delay` ms after `initialDelay`', async () => {
    const { c, seen } = consumer({ startScheduler: true, initialDelay: 10, delay: 50 });
    await c.start();
    await put('s1.txt', '1');
    const deadline = Date.now() + 10_000;
    while (seen.length < 1 && Date.now() < deadline) await sleep(20);
    await put('s2.txt', '2');
    while (seen.length < 2 && Date.now() < deadline) await sleep(20);
    await c.stop();
    expect(seen.map((s) => s.name)).to.deep.equal(['s1.txt', 's2.txt']);
    expect(c.metrics().polls).to.be.at.least(2);
  });

  // ------------------------------------------------------------------ connection

  it('connection - a dropped connection: health down with the error, the next poll reconnects and continues', async () => {
    const sockets: Socket[] = [];
    const socketFactory = (h: string, p: number) => {
      const s = noDelaySocket(h, p);
      sockets.push(s);
      return s;
    };
    const logs = new Logs();
    const { c, seen } = consumer({}, undefined, { socketFactory, logs });
    await c.start();
    expect(sockets).to.have.length(1);
    expect((sockets[0] as Socket & { _handle?: unknown }).readyState).to.equal('open');
    await put('before.txt', 'b');
    expect((await c.poll()).processed).to.deep.equal(['before.txt']);

    sockets[0].destroy(); // the network goes away
    await sleep(100);
    const h = await c.health();
    expect(h.status).to.equal('down');
    expect(h.detail).to.match(/not connected: .*connection closed/);
    expect(c.metrics().connected).to.equal(false);

    await put('after.txt', 'a');
    const r = await c.poll();
    expect(r.connected).to.equal(true);
    expect(r.processed).to.deep.equal(['after.txt']);
    expect(sockets).to.have.length(2);
    expect((await c.health()).status).to.equal('up');
    expect(c.metrics()).to.include({ reconnects: 1, filesProcessed: 2 });
    expect(seen.map((s) => s.name)).to.deep.equal(['before.txt', 'after.txt']);
    expect(logs.lines.join('\n')).to.match(/connection lost/);
  });

  it('connection - dropped in the middle of a file: nothing is half-moved; the file is handed over again after reconnecting', async () => {
    const sockets: Socket[] = [];
    const socketFactory = (h: string, p: number) => {
      const s = noDelaySocket(h, p);
      sockets.push(s);
      return s;
    };
    await put('big.bin', randomBytes(4 * 1024 * 1024));
    const attempts: number[] = [];
    const { c } = consumer({ preMove: '.inprogress' }, async (body, meta) => {
      attempts.push(meta.attempt);
      let n = 0;
      for await (const chunk of body) {
        n += (chunk as Buffer).length;
        if (meta.attempt === 1 && n > 256 * 1024) sockets[sockets.length - 1].destroy();
      }
      if (n !== meta.size) throw new Error(`short read ${n}`);
    }, { socketFactory });
    await c.start();
    const first = await c.poll();
    expect(first.interrupted).to.equal(true);
    expect(first.processed).to.deep.equal([]);
    expect(first.failed).to.deep.equal([]);
    expect(await names()).to.deep.equal(['.inprogress']);
    expect(await names('.inprogress')).to.deep.equal(['big.bin']);
    expect((await row('big.bin'))[0]).to.include({ state: 'in-progress', outcome: null });

    const second = await c.poll();
    expect(second.resumed).to.deep.equal(['big.bin']);
    expect(second.processed).to.deep.equal(['big.bin']);
    expect(attempts).to.deep.equal([1, 2]);
    expect(await names('.inprogress')).to.deep.equal([]);
    expect(await names('.done')).to.deep.equal(['big.bin']);
    expect(await names('.failed')).to.deep.equal([]);
  });

  it('connection - host key mismatch is refused (no file touched); an unknown host too; health says why', async () => {
    await put('secret.txt', 's');
    const tmp = mkdtempSync(join(tmpdir(), 'gridbus-kh-'));
    cleanup.push(async () => rmSync(tmp, { recursive: true, force: true }));
    const wrong = join(tmp, 'known_hosts');
    const userPub = readFileSync(`${keyFile}.pub`, 'utf8').split(/\s+/).slice(0, 2).join(' ');
    writeFileSync(wrong, `[${host}]:${port} ${userPub}\n`);
    const { c, seen } = consumer({ knownHostsFile: wrong });
    await c.start();
    const r = await c.poll();
    expect(r.connected).to.equal(false);
    expect(r.error).to.be.instanceOf(GridbusError);
    expect(r.error!.errorCode).to.equal('BACKEND_UNAVAILABLE');
    expect(r.error!.data).to.include({ reason: 'HOST_KEY_REJECTED', hostKey: 'mismatch' });
    expect(r.error!.message).to.match(/does not match .*man-in-the-middle/);
    expect(seen).to.have.length(0);
    const h = await c.health();
    expect(h.status).to.equal('down');
    expect(h.detail).to.match(/host key check failed/);
    expect(await names()).to.deep.equal(['secret.txt']);

    const empty = join(tmp, 'empty_known_hosts');
    writeFileSync(empty, '# nothing\n');
    const p = new SftpProducer({ ...connection(), directory: dir, knownHostsFile: empty }, { logger: new Logs() });
    cleanup.push(() => p.stop());
    await p.start();
    const err = await p.put('x.txt', Buffer.from('x')).catch((e: GridbusError) => e);
    expect(err).to.be.instanceOf(GridbusError);
    expect((err as GridbusError).data).to.include({ reason: 'HOST_KEY_REJECTED', hostKey: 'unknown' });
    expect((err as GridbusError).message).to.match(/no entry for \[127\.0\.0\.1\]:\d+/);
  });

  it('connection - strictHostKeyChecking: false connects despite a wrong known_hosts, with a warning', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'gridbus-kh-'));
    cleanup.push(async () => rmSync(tmp, { recursive: true, force: true }));
    const wrong = join(tmp, 'known_hosts');
    writeFileSync(wrong, '');
    await put('ok.txt', 'ok');
    const logs = new Logs();
    const { c } = consumer({ knownHostsFile: wrong, strictHostKeyChecking: false }, undefined, { logs });
    await c.start();
    expect((await c.poll()).processed).to.deep.equal(['ok.txt']);
    expect(logs.lines.join('\n')).to.match(/strictHostKeyChecking is OFF/);
  });

  it('connection - a server that is not there: down with backoff, no crash', async () => {
    const { c } = consumer({ port: 1, reconnectDelay: 50, maxReconnectDelay: 400 });
    await c.start();
    const r1 = await c.poll();
    expect(r1.connected).to.equal(false);
    const h = await c.health();
    expect(h.status).to.equal('down');
    expect(h.detail).to.match(/next attempt in \d+ ms/);
    const r2 = await c.poll(); // inside the backoff window: fails fast without a connect
    expect(r2.error!.message).to.match(/not connected \(next attempt in/);
  });

  // ------------------------------------------------------------------ producer

  it('producer - writes under the temp name, renames when complete (a reader never sees a partial final file), then the done file', async () => {
    const p = new SftpProducer({ ...connection(), directory: posix.join(dir, 'out'), doneFileName: '${file:name}.done' }, { logger: new Logs() });
    cleanup.push(() => p.stop());
    await p.start();
    expect((await p.health()).status).to.equal('up');
    const chunks = Array.from({ length: 8 }, (_, i) => Buffer.alloc(32 * 1024, 97 + i));
    const listings: string[][] = [];
    const body = Readable.from(
      (async function* () {
        for (const ch of chunks) {
          yield ch;
          await sleep(40);
          listings.push(await names('out'));
        }
      })(),
    );
    const res = await p.put('report.csv', body);
    expect(res).to.deep.equal({ path: posix.join(dir, 'out/report.csv'), bytes: 8 * 32 * 1024, doneFile: posix.join(dir, 'out/report.csv.done') });
    for (const l of listings) {
      expect(l, 'mid-write listing').to.include('.tmp-report.csv');
      expect(l, 'mid-write listing').to.not.include('report.csv');
    }
    expect(await names('out')).to.deep.equal(['report.csv', 'report.csv.done']);
    expect(Buffer.compare((await admin.get(posix.join(dir, 'out/report.csv'))) as Buffer, Buffer.concat(chunks))).to.equal(0);

    // a second put of the same name replaces it atomically
    await p.put('report.csv', Buffer.from('v2'));
    expect(await text('out/report.csv')).to.equal('v2');
    expect(await names('out')).to.deep.equal(['report.csv', 'report.csv.done']);
    expect(p.metrics()).to.include({ filesWritten: 2, bytesWritten: 8 * 32 * 1024 + 2, failures: 0 });
  });

  it('producer - a failing body leaves neither a final file nor a temp file; bad names are refused', async () => {
    const p = new SftpProducer({ ...connection(), directory: dir }, { logger: new Logs() });
    cleanup.push(() => p.stop());
    await p.start();
    const body = Readable.from(
      (async function* () {
        yield Buffer.alloc(1000, 1);
        await sleep(20);
        throw new Error('source broke');
      })(),
    );
    const err = await p.put('half.bin', body).catch((e: GridbusError) => e);
    expect(err).to.be.instanceOf(GridbusError);
    expect((err as GridbusError).errorCode).to.equal('INTERNAL');
    expect((err as GridbusError).message).to.match(/source broke/);
    expect(await names()).to.deep.equal([]);
    for (const bad of ['', '../x', 'a/b', '..']) {
      const e = await p.put(bad, Buffer.from('x')).catch((x: GridbusError) => x);
      expect((e as GridbusError).errorCode, bad).to.equal('VALIDATION_FAILED');
    }
  });

  // ------------------------------------------------------------------ memory

  it('streaming - a 50 MB file is consumed while heap growth stays far below the file size', async function () {
    this.timeout(120_000);
    const size = 50 * 1024 * 1024;
    const block = randomBytes(1024 * 1024);
    const expected = createHash('sha256');
    const p = new SftpProducer({ ...connection(), directory: dir }, { logger: new Logs() });
    cleanup.push(() => p.stop());
    await p.start();
    await p.put(
      'fifty.bin',
      Readable.from(
        (function* () {
          for (let i = 0; i < size / block.length; i++) {
            const b = Buffer.from(block);
            b.writeUInt32BE(i, 0);
            expected.update(b);
            yield b;
          }
        })(),
        { objectMode: false },
      ),
    );
    await p.stop();
    const want = expected.digest('hex');

    // a full GC on demand, to see what is really retained (not just garbage not yet collected)
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const base = process.memoryUsage();
    let peakHeap = base.heapUsed;
    const sampler = setInterval(() => {
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }, 5);
    let retainedMidway: { heap: number; buffers: number } | undefined;
    let got = '';
    let bytes = 0;
    const started = Date.now();
    try {
      const { c } = consumer({}, async (body, meta) => {
        expect(meta.size).to.equal(size);
        const h = createHash('sha256');
        for await (const chunk of body) {
          h.update(chunk as Buffer);
          bytes += (chunk as Buffer).length;
          if (!retainedMidway && bytes >= size / 2) {
            // Buffers' backing stores are released after the collection, off the main thread:
            // collect, let that finish, collect again, then look.
            gc();
            await new Promise((r) => setTimeout(r, 50));
            gc();
            const m = process.memoryUsage();
            retainedMidway = { heap: m.heapUsed - base.heapUsed, buffers: m.arrayBuffers - base.arrayBuffers };
          }
        }
        got = h.digest('hex');
      });
      await c.start();
      expect((await c.poll()).processed).to.deep.equal(['fifty.bin']);
    } finally {
      clearInterval(sampler);
    }
    const heapGrowth = peakHeap - base.heapUsed;
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
    // eslint-disable-next-line no-console
    console.log(`      50 MB in ${Date.now() - started} ms; peak heapUsed growth ${mb(heapGrowth)}; retained at 25 MB read: heap ${mb(retainedMidway!.heap)}, buffers ${mb(retainedMidway!.buffers)}`);
    expect(bytes).to.equal(size);
    expect(got).to.equal(want);
    expect(heapGrowth).to.be.below(40 * 2 ** 20);
    // halfway through, after a full GC, well under the 25 MB already read is held
    expect(retainedMidway!.heap + retainedMidway!.buffers).to.be.below(10 * 2 ** 20);
  });
});
