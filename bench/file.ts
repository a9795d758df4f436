/**
 * Reconciliation file throughput: a fixed-width UTF-8 file of N lines
 * (default 1,000,000) on the test OpenSSH SFTP server, three ways in one run:
 *   1. raw SFTP transfer (read the whole file, discard it),
 *   2. raw COPY of the same rows into PostgreSQL (rows pre-built, no parsing),
 *   3. end to end: fetch over SFTP → parse → validate → map → COPY, one transaction,
 * with the peak resident memory of step 3 for N and for N/10 (memory must not grow with file size).
 * Prints figures; asserts nothing about time.
 *
 *   scripts/services.sh up sftp postgres && source var/services/env.sh
 *   npx ts-node --transpile-only bench/file.ts [lines]
 */
import * as fs from 'fs';
import * as path from 'path';
import { Writable } from 'stream';
import { once } from 'events';
import SftpClient from 'ssh2-sftp-client';
import { from as copyFrom } from 'pg-copy-streams';
import type { PoolClient } from 'pg';
import { noDelaySocket } from '../adapters/sftp';
import { openDatabase } from '../core/db';
import { copyTextRow } from '../core/files/copy-text';
import { ingestReconciliationFile } from '../core/files/reconciliation-ingest';
import { compileMappingFilesStrict, readMappingFiles } from '../core/mapping';
import { expectedCanonical } from '../simulators/files/dataset';
import { sampleFileName, writeSampleFile } from '../simulators/files/reconciliation-files';
import { createFreshDatabase } from '../test/helpers/db';

const N = Number(process.argv[2] ?? 1_000_000);
const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set: scripts/services.sh up && source var/services/env.sh`);
  return v;
};

function fmt(n: number) {
  return Math.round(n).toLocaleString('en-US');
}

async function connect(): Promise<SftpClient> {
  const sftp = new SftpClient();
  const host = env('TEST_SFTP_HOST');
  const port = Number(env('TEST_SFTP_PORT'));
  // Loopback test server; the adapter itself checks host keys strictly.
  await sftp.connect({ host, port, username: env('TEST_SFTP_USER'), privateKey: fs.readFileSync(env('TEST_SFTP_KEY')), sock: noDelaySocket(host, port), hostVerifier: () => true } as never);
  return sftp;
}

/** Peak RSS while `fn` runs, sampled every 50 ms. */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peakMb: number; baseMb: number }> {
  global.gc?.();
  const baseMb = process.memoryUsage().rss / 2 ** 20;
  let peak = baseMb;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss / 2 ** 20)), 50);
  try {
    const result = await fn();
    return { result, peakMb: Math.max(peak, process.memoryUsage().rss / 2 ** 20), baseMb };
  } finally {
    clearInterval(timer);
  }
}

async function main() {
  const drop = path.join(env('TEST_SFTP_ROOT'), `bench-${process.pid}`);
  fs.mkdirSync(drop, { recursive: true });
  const db = await createFreshDatabase();
  const { dataSource: ds } = await openDatabase(db.url);
  const layout = compileMappingFilesStrict(readMappingFiles(path.resolve(__dirname, '../mappings')), { MARKETING_WSDL_URL: 'x', SMS_URL: 'x' }).fileLayouts.get('marketing.reconciliation-fixed')!;
  const sftp = await connect();
  try {
    console.log(`file benchmark: fixed-width UTF-8 reconciliation file, node ${process.version}, 2 cores shared`);
    const files: Array<{ lines: number; remote: string; size: number; name: string }> = [];
    for (const [i, lines] of [N, Math.round(N / 10)].entries()) {
      const name = sampleFileName('fixed', { seq: i + 1 });
      const local = path.join(drop, name);
      const t = Date.now();
      await writeSampleFile('fixed', local, { count: lines, seed: 11 + i, seq: i + 1 });
      const size = fs.statSync(local).size;
      console.log(`  generated ${fmt(lines)} lines, ${(size / 2 ** 20).toFixed(0)} MB in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      files.push({ lines, remote: `${drop}/${name}`, size, name });
    }
    const [big, small] = files;

    // 1. Raw SFTP transfer.
    let t = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) => {
      const sink = new Writable({ write: (_c, _e, cb) => cb() });
      const stream = sftp.createReadStream(big.remote) as unknown as NodeJS.ReadableStream;
      stream.on('error', reject);
      sink.on('finish', resolve);
      stream.pipe(sink);
    });
    let s = Number(process.hrtime.bigint() - t) / 1e9;
    const rawSftp = big.lines / s;
    console.log(`\n1. raw SFTP transfer        ${fmt(rawSftp).padStart(10)} lines/s   (${(big.size / 2 ** 20 / s).toFixed(0)} MB/s, ${s.toFixed(2)} s)`);

    // 2. Raw COPY of the same rows, built without parsing.
    // Same columns, keys and indexes as the real table, so the comparison is fair.
    await ds.query('CREATE TABLE bench_copy (LIKE reconciliation_record INCLUDING ALL)');
    const pool = (ds.driver as unknown as { master: { connect(): Promise<PoolClient> } }).master;
    const client = await pool.connect();
    const rows: string[] = [];
    for (let i = 0; i < Math.min(big.lines, 10_000); i++) {
      const d = expectedCanonical(i, { seed: 11 });
      rows.push(copyTextRow([d.serial, d.accountNo, d.billMonth, d.amountFen, d.paidAt]));
    }
    t = process.hrtime.bigint();
    const copy = client.query(copyFrom('COPY bench_copy FROM STDIN')) as unknown as Writable;
    const done = new Promise((resolve, reject) => copy.on('finish', resolve).on('error', reject));
    for (let i = 0; i < big.lines; i += 1000) {
      let chunk = '';
      for (let j = i; j < Math.min(i + 1000, big.lines); j++) chunk += `1\t${j + 2}\t${rows[j % rows.length]}`;
      if (!copy.write(chunk)) await once(copy, 'drain');
    }
    copy.end();
    await done;
    s = Number(process.hrtime.bigint() - t) / 1e9;
    client.release();
    const rawCopy = big.lines / s;
    console.log(`2. raw COPY of the rows     ${fmt(rawCopy).padStart(10)} lines/s   (${s.toFixed(2)} s)`);

    // 3. End to end, for the big file and for one a tenth of its size.
    const e2e = async (f: typeof big) => {
      const started = process.hrtime.bigint();
      const { result, peakMb, baseMb } = await withPeakRss(() =>
        ingestReconciliationFile(ds, layout, sftp.createReadStream(f.remote, { highWaterMark: 2 ** 20 } as never) as never, { name: f.name, size: f.size, mtime: Date.now() }),
      );
      const secs = Number(process.hrtime.bigint() - started) / 1e9;
      if (result.records !== f.lines) throw new Error(`loaded ${result.records} of ${f.lines}`);
      return { rate: f.lines / secs, secs, peakMb, baseMb };
    };
    const bigRun = await e2e(big);
    console.log(`3. end to end (SFTP → parse → map → COPY)`);
    console.log(`   ${fmt(big.lines).padStart(9)} lines  ${fmt(bigRun.rate).padStart(10)} lines/s   (${bigRun.secs.toFixed(2)} s, peak RSS ${bigRun.peakMb.toFixed(0)} MB, +${(bigRun.peakMb - bigRun.baseMb).toFixed(0)} MB over the start)`);
    const smallRun = await e2e(small);
    console.log(`   ${fmt(small.lines).padStart(9)} lines  ${fmt(smallRun.rate).padStart(10)} lines/s   (${smallRun.secs.toFixed(2)} s, peak RSS ${smallRun.peakMb.toFixed(0)} MB, +${(smallRun.peakMb - smallRun.baseMb).toFixed(0)} MB over the start)`);
    console.log(`\nend to end / raw SFTP: ${(bigRun.rate / rawSftp).toFixed(2)}   end to end / raw COPY: ${(bigRun.rate / rawCopy).toFixed(2)}   (aim: over 250,000 lines/s end to end)`);
  } finally {
    await sftp.end().catch(() => undefined);
    await ds.destroy();
    await db.drop();
    fs.rmSync(drop, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
