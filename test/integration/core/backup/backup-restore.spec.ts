import { expect } from 'chai';
import { randomBytes } from 'crypto';
import { Client } from 'pg';
import { decodeArchive, encodeArchive, exportDatabase, restore } from '../../../../core/backup';
import { listTables } from '../../../../core/backup/schema-tables';
import { openDatabase } from '../../../../core/db';
import { createFreshDatabase, query } from '../../../helpers/db';
import { fillEveryTable } from '../../../helpers/fill-tables';

/** Values for the CHECKs a generic value cannot pass. */
const OVERRIDES: Record<string, Record<string, unknown>> = {
  account_binding: { account_no: '0123456789', status: 'unbound' },
  job_schedule: { lease_ms: 60000 },
  operator: { roles: ['operator'] },
  sftp_processed_file: { outcome: 'done', state: 'done' },
  content_item: { publish_until: null },
  outage_bulletin: { starts_at: '2026-01-01T00:00:00Z', ends_at: '2026-01-02T00:00:00Z' },
  points_catalogue: { item_id: 'demo-item' },
};

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const tableCount = async (url: string): Promise<number> =>
  (await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`))[0].n;

async function expectInvalid(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await p;
  } catch (err) {
    expect((err as { errorCode?: string }).errorCode).to.equal('BACKUP_INVALID');
    expect((err as Error).message).to.match(pattern);
    return;
  }
  expect.fail('the archive was accepted');
}

describe('backup and verified restore (real PostgreSQL)', function () {
  this.timeout(120_000);
  const key = randomBytes(32);
  let source: { url: string; drop(): Promise<void> };
  const targets: { url: string; drop(): Promise<void> }[] = [];
  let archive: Buffer;
  let tableNames: string[];

  before(async () => {
    source = await createFreshDatabase();
    const { dataSource } = await openDatabase(source.url);
    await dataSource.destroy();
    tableNames = await withClient(source.url, async (c) => (await listTables(c)).map((t) => t.name));
    const failed = await withClient(source.url, (c) => fillEveryTable(c, tableNames, OVERRIDES));
    expect(failed, 'tables the test could not fill').to.deep.equal({});
    const { manifest, tables } = await exportDatabase(source.url);
    archive = encodeArchive(manifest, tables, key);
  });

  after(async () => {
    await source?.drop();
    for (const t of targets) await t.drop();
  });

  async function emptyTarget(): Promise<string> {
    const t = await createFreshDatabase();
    targets.push(t);
    return t.url;
  }

  it('backs up a database with every table filled and restores it into an empty one: every row count and checksum matches', async () => {
    const { manifest } = decodeArchive(archive, key);
    expect(manifest.tables.map((t) => t.name)).to.have.members(tableNames);
    for (const t of manifest.tables) expect(t.rows, `rows of ${t.name}`).to.be.greaterThan(0);

    const target = await emptyTarget();
    const lines: string[] = [];
    const report = await restore(archive, key, target, (l) => lines.push(l));
    expect(report.ok).to.equal(true);
    expect(report.tables.map((t) => [t.name, t.restoredRows])).to.deep.equal(manifest.tables.map((t) => [t.name, t.rows]));

    // compared independently of restore's own check: a fresh export of both databases, table by table
    const [a, b] = [await exportDatabase(source.url), await exportDatabase(target)];
    expect(b.manifest.tables.map((t) => [t.name, t.rows, t.sha256])).to.deep.equal(a.manifest.tables.map((t) => [t.name, t.rows, t.sha256]));
    expect(lines.filter((l) => l.startsWith('restored '))).to.have.length(tableNames.length - 1);
  });

  it('moves sequences past the restored ids, so the restored bus can insert again', async () => {
    const target = await emptyTarget();
    await restore(archive, key, target);
    const seqs = await query<{ tbl: string; col: string }>(
      target,
      `SELECT t.relname AS tbl, a.attname AS col FROM pg_class s
         JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
         JOIN pg_class t ON t.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
        WHERE s.relkind = 'S' AND t.relnamespace = to_regnamespace(current_schema())`,
    );
    for (const s of seqs) {
      const [{ next, max }] = await query<{ next: string; max: string }>(
        target,
        `SELECT nextval(pg_get_serial_sequence('"${s.tbl}"', '${s.col}'))::text AS next, (SELECT max("${s.col}") FROM "${s.tbl}")::text AS max`,
      );
      expect(Number(next), `${s.tbl}.${s.col}`).to.be.greaterThan(Number(max ?? 0));
    }
  });

  it('refuses a truncated archive with BACKUP_INVALID and writes nothing to the target', async () => {
    const target = await emptyTarget();
    await expectInvalid(restore(archive.subarray(0, archive.length - 100), key, target), /authentication tag/);
    await expectInvalid(restore(archive.subarray(0, 10), key, target), /too short/);
    expect(await tableCount(target)).to.equal(0);
  });

  it('refuses an archive with one byte flipped, or read with another key, with BACKUP_INVALID and writes nothing', async () => {
    const target = await emptyTarget();
    for (const at of [archive.length >> 1, 25, archive.length - 1]) {
      const damaged = Buffer.from(archive);
      damaged[at] ^= 0x01;
      await expectInvalid(restore(damaged, key, target), /authentication tag/);
    }
    await expectInvalid(restore(archive, randomBytes(32), target), /another BACKUP_KEY/);
    expect(await tableCount(target)).to.equal(0);
  });

  it('refuses a target that already has tables (BACKUP_TARGET_NOT_EMPTY), leaving it as it was', async () => {
    try {
      await restore(archive, key, source.url);
      expect.fail('restored over a database with tables');
    } catch (err) {
      expect((err as { errorCode?: string }).errorCode).to.equal('BACKUP_TARGET_NOT_EMPTY');
    }
  });
});
