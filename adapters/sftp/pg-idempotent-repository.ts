import { DataSource } from 'typeorm';
import { GridbusError } from '../../core/errors';
import { BeginResult, FileKey, FileOutcome, FileRecord, IdempotentRepository, fileKeyString } from './idempotent-repository';

const TABLE = 'sftp_processed_file';
const KEY_WHERE = 'endpoint_id = $1 AND directory = $2 AND name = $3 AND size = $4 AND mtime = $5';

interface Row {
  endpoint_id: string;
  directory: string;
  name: string;
  size: string;
  mtime: string;
  state: FileRecord['state'];
  owner: string;
  attempts: number;
  location: string | null;
  outcome: FileOutcome | null;
  target_path: string | null;
  error_code: string | null;
  error_message: string | null;
  idempotent_key: string | null;
  duplicate_of: string | null;
}

/** Same rule as holdsKey() and the partial unique index of migration 1764700090000. */
const HOLDS_KEY = `(coalesce(outcome, state) = 'done' OR (state = 'in-progress' AND outcome IS NULL))`;

function keyParams(k: FileKey): unknown[] {
  return [k.endpointId, k.directory, k.name, k.size, k.mtime];
}

function toRecord(r: Row): FileRecord {
  return {
    endpointId: r.endpoint_id,
    directory: r.directory,
    name: r.name,
    size: Number(r.size),
    mtime: Number(r.mtime),
    state: r.state,
    owner: r.owner,
    attempts: r.attempts,
    location: r.location,
    outcome: r.outcome,
    targetPath: r.target_path,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    idempotentKey: r.idempotent_key ?? null,
    duplicateOf: r.duplicate_of ?? null,
  };
}

/**
 * The idempotent repository in PostgreSQL (table `sftp_processed_file`,
 * migration 1764200000000). Every change is one statement, so two nodes
 * polling the same directory under the same endpoint id cannot both begin
 * the same file. UPDATEs are wrapped in a CTE so that TypeORM returns rows.
 */
export class PostgresIdempotentRepository implements IdempotentRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Fails with CONFIG_INVALID when the table is missing (migrations not run). */
  async verify(): Promise<void> {
    const [row] = await this.dataSource.query(`SELECT to_regclass('public.${TABLE}') AS t`);
    if (!row?.t) {
      throw new GridbusError(
        'CONFIG_INVALID',
        `the SFTP idempotent repository table ${TABLE} does not exist: run the migrations (openDatabase). If schema_migrations already lists SftpIdempotentRepository1764200000000, that database ran the earlier empty placeholder and must be rebuilt`,
      );
    }
  }

  async settled(endpointId: string, directory: string, files: Array<Pick<FileKey, 'name' | 'size' | 'mtime'>>): Promise<Set<string>> {
    if (files.length === 0) return new Set();
    const rows: Array<{ name: string; size: string; mtime: string }> = await this.dataSource.query(
      `SELECT name, size, mtime FROM ${TABLE}
        WHERE endpoint_id = $1 AND directory = $2 AND name = ANY($3::text[])
          AND NOT (state = 'failed' AND target_path IS NOT NULL)`,
      [endpointId, directory, [...new Set(files.map((f) => f.name))]],
    );
    const wanted = new Set(files.map(fileKeyString));
    const out = new Set<string>();
    for (const r of rows) {
      const k = fileKeyString({ name: r.name, size: Number(r.size), mtime: Number(r.mtime) });
      if (wanted.has(k)) out.add(k);
    }
    return out;
  }

  async begin(key: FileKey, owner: string, location: string, idempotentKey: string): Promise<BeginResult> {
    const [holder]: Array<{ name: string; outcome: FileOutcome | null }> = await this.dataSource.query(
      `SELECT name, outcome FROM ${TABLE}
        WHERE endpoint_id = $1 AND directory = $2 AND idempotent_key = $3 AND ${HOLDS_KEY}
          AND NOT (name = $4 AND size = $5 AND mtime = $6)
        LIMIT 1`,
      [key.endpointId, key.directory, idempotentKey, key.name, key.size, key.mtime],
    );
    // the same content is being loaded right now: decide at a later poll
    if (holder && holder.outcome === null) return { taken: false, attempt: 0 };
    const outcome = holder ? 'duplicate' : null;
    try {
      // new → insert; failed and moved away but back in the directory → take again
      const rows: Array<{ attempts: number }> = await this.dataSource.query(
        `INSERT INTO ${TABLE} AS t (endpoint_id, directory, name, size, mtime, state, owner, attempts, location, idempotent_key, outcome, duplicate_of)
         VALUES ($1, $2, $3, $4, $5, 'in-progress', $6, 1, $7, $8, $9, $10)
         ON CONFLICT (endpoint_id, directory, name, size, mtime) DO UPDATE
            SET state = 'in-progress', owner = EXCLUDED.owner, attempts = t.attempts + 1, location = EXCLUDED.location,
                idempotent_key = EXCLUDED.idempotent_key, outcome = EXCLUDED.outcome, duplicate_of = EXCLUDED.duplicate_of,
                target_path = NULL, error_code = NULL, error_message = NULL,
                taken_at = now(), finished_at = NULL, updated_at = now()
          WHERE t.state = 'failed' AND t.target_path IS NOT NULL
         RETURNING attempts`,
        [...keyParams(key), owner, location, idempotentKey, outcome, holder?.name ?? null],
      );
      if (!rows.length) return { taken: false, attempt: 0 };
      return holder ? { taken: true, attempt: rows[0].attempts, duplicateOf: holder.name } : { taken: true, attempt: rows[0].attempts };
    } catch (err) {
      // another node began a file with the same key in between: decided at a later poll
      if ((err as { code?: string }).code === '23505') return { taken: false, attempt: 0 };
      throw err;
    }
  }

  async resume(key: FileKey, owner: string, location: string): Promise<{ taken: boolean; attempt: number }> {
    const rows: Array<{ attempts: number }> = await this.dataSource.query(
      `WITH u AS (UPDATE ${TABLE} SET owner = $6, attempts = attempts + 1, location = $7, updated_at = now()
                   WHERE ${KEY_WHERE} AND state = 'in-progress' RETURNING attempts)
       SELECT attempts FROM u`,
      [...keyParams(key), owner, location],
    );
    return rows.length ? { taken: true, attempt: rows[0].attempts } : { taken: false, attempt: 0 };
  }

  async setLocation(key: FileKey, location: string): Promise<void> {
    await this.dataSource.query(`WITH u AS (UPDATE ${TABLE} SET location = $6, updated_at = now() WHERE ${KEY_WHERE} RETURNING 1) SELECT count(*) FROM u`, [
      ...keyParams(key),
      location,
    ]);
  }

  async decide(key: FileKey, outcome: FileOutcome, targetPath: string | null, error?: { code: string; message: string }): Promise<void> {
    await this.dataSource.query(
      `WITH u AS (UPDATE ${TABLE} SET outcome = $6, target_path = $7, error_code = $8, error_message = $9, updated_at = now()
                   WHERE ${KEY_WHERE} AND state = 'in-progress' RETURNING 1)
       SELECT count(*) FROM u`,
      [...keyParams(key), outcome, targetPath, error?.code ?? null, error?.message?.slice(0, 4000) ?? null],
    );
  }

  async finish(key: FileKey): Promise<void> {
    await this.dataSource.query(
      `WITH u AS (UPDATE ${TABLE} SET state = outcome, finished_at = now(), updated_at = now()
                   WHERE ${KEY_WHERE} AND state = 'in-progress' AND outcome IS NOT NULL RETURNING 1)
       SELECT count(*) FROM u`,
      keyParams(key),
    );
  }

  async release(key: FileKey): Promise<void> {
    await this.dataSource.query(`WITH d AS (DELETE FROM ${TABLE} WHERE ${KEY_WHERE} AND state = 'in-progress' RETURNING 1) SELECT count(*) FROM d`, keyParams(key));
  }

  async inProgress(endpointId: string, directory: string): Promise<FileRecord[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT * FROM ${TABLE} WHERE endpoint_id = $1 AND directory = $2 AND state = 'in-progress' ORDER BY taken_at`,
      [endpointId, directory],
    );
    return rows.map(toRecord);
  }

  async get(key: FileKey): Promise<FileRecord | undefined> {
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM ${TABLE} WHERE ${KEY_WHERE}`, keyParams(key));
    return rows.length ? toRecord(rows[0]) : undefined;
  }

  /** Deletes finished records older than `before` (housekeeping; the table otherwise only grows). */
  async purge(before: Date): Promise<number> {
    const [row] = await this.dataSource.query(
      `WITH d AS (DELETE FROM ${TABLE} WHERE state <> 'in-progress' AND finished_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [before],
    );
    return row.n;
  }
}
