import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'stream/promises';
import { Readable } from 'stream';
import { openDatabase } from '../db/data-source';
import { MIGRATIONS } from '../db/migrations';
import { GridbusError } from '../errors/gridbus-error';
import { decodeArchive, sha256 } from './archive';
import { exportDatabase, Progress } from './export';
import { quoteIdent } from './schema-tables';

export interface TableCheck {
  name: string;
  rows: number;
  restoredRows: number;
  ok: boolean;
}

export interface RestoreReport {
  createdAt: string;
  tables: TableCheck[];
  ok: boolean;
}

/** The migrations this build applies, by name. */
const knownMigrations = (): string[] => MIGRATIONS.map((M) => (new M() as { name?: string }).name ?? M.name);

/**
 * Restores an archive into an empty database: everything is decrypted and checked first (BACKUP_INVALID,
 * nothing written), then the migrations are applied, every table is copied in one transaction, sequences
 * are moved past the restored ids, and the target is exported again and compared table by table.
 */
export async function restore(archive: Buffer, key: Buffer, targetUrl: string, progress: Progress = () => undefined): Promise<RestoreReport> {
  const { manifest, tables } = decodeArchive(archive, key);
  progress(`archive of ${manifest.createdAt} verified: ${tables.length} tables`);
  const known = knownMigrations();
  if (manifest.migrations.join('\n') !== known.join('\n')) {
    throw new GridbusError('BACKUP_INVALID', `backup archive refused: it was made at schema ${manifest.migrations.at(-1) ?? '(none)'}, this build is at ${known.at(-1)}: restore it with the gridbus version that made it`);
  }
  const probe = new Client({ connectionString: targetUrl });
  await probe.connect();
  try {
    const { rows } = await probe.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
    );
    if (rows[0].n > 0) throw new GridbusError('BACKUP_TARGET_NOT_EMPTY', `the target database already has ${rows[0].n} tables: restore only into an empty database`);
  } finally {
    await probe.end();
  }

  const { dataSource } = await openDatabase(targetUrl, { applicationName: 'gridbus-restore' });
  await dataSource.destroy();
  progress('schema created (migrations applied)');

  const client = new Client({ connectionString: targetUrl, application_name: 'gridbus-restore' });
  await client.connect();
  try {
    await client.query('BEGIN');
    for (const t of tables) {
      if (t.name === 'schema_migrations') continue; // written by the migrations themselves
      const cols = t.columns.map(quoteIdent).join(', ');
      await pipeline(Readable.from([t.data]), client.query(copyFrom(`COPY ${quoteIdent(t.name)} (${cols}) FROM STDIN`)));
      progress(`restored ${t.name}: ${manifest.tables.find((m) => m.name === t.name)!.rows} rows`);
    }
    await resetSequences(client);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }

  const again = await exportDatabase(targetUrl);
  const checks = manifest.tables.map((m): TableCheck => {
    const r = again.tables.find((t) => t.name === m.name);
    const restoredRows = again.manifest.tables.find((t) => t.name === m.name)?.rows ?? -1;
    return { name: m.name, rows: m.rows, restoredRows, ok: !!r && sha256(r.data) === m.sha256 };
  });
  for (const c of checks) progress(`checked ${c.name}: ${c.rows} rows in the archive, ${c.restoredRows} restored, ${c.ok ? 'checksum matches' : 'CHECKSUM DIFFERS'}`);
  return { createdAt: manifest.createdAt, tables: checks, ok: checks.every((c) => c.ok) && again.tables.length === tables.length };
}

/** Every sequence owned by a column of the schema continues after the largest restored value. */
async function resetSequences(client: Client): Promise<void> {
  const { rows } = await client.query<{ seq: string; tbl: string; col: string }>(
    `SELECT quote_ident(sn.nspname) || '.' || quote_ident(s.relname) AS seq, t.relname AS tbl, a.attname AS col
       FROM pg_class s JOIN pg_namespace sn ON sn.oid = s.relnamespace
       JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
       JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
      WHERE s.relkind = 'S' AND n.nspname = current_schema()`,
  );
  for (const r of rows) {
    await client.query(`SELECT setval($1::regclass, COALESCE((SELECT max(${quoteIdent(r.col)}) FROM ${quoteIdent(r.tbl)}), 1), (SELECT max(${quoteIdent(r.col)}) FROM ${quoteIdent(r.tbl)}) IS NOT NULL)`, [r.seq]);
  }
}
