import { DataSource } from 'typeorm';
import { GridbusError } from '../../errors';
import { MappingFiles, checksumOf } from '../bundle';
import { diffMappingFiles } from '../mapping-diff';

export type ReleaseKind = 'import' | 'publish' | 'rollback';

export interface ReleaseSummary {
  version: number;
  createdAt: string;
  author: string;
  kind: ReleaseKind;
  rollbackOf: number | null;
  note: string | null;
  checksum: string;
}

export interface Release extends ReleaseSummary {
  files: MappingFiles;
  /** Unified diff against the release before it. */
  diff: string;
}

interface Row {
  version: number;
  created_at: Date;
  author: string;
  kind: ReleaseKind;
  rollback_of: number | null;
  note: string | null;
  checksum: string;
  files?: MappingFiles;
  diff?: string;
}

function toSummary(r: Row): ReleaseSummary {
  return { version: r.version, createdAt: r.created_at.toISOString(), author: r.author, kind: r.kind, rollbackOf: r.rollback_of, note: r.note, checksum: r.checksum };
}

/**
 * Every published mapping set, append-only: publishing and rolling back both
 * add a release (a rollback is the old content as a new version), so the
 * history says who changed what, when, and the diff.
 */
export class ReleaseStore {
  constructor(private readonly ds: DataSource) {}

  async latest(): Promise<Release | null> {
    const rows: Row[] = await this.ds.query('SELECT * FROM mapping_release ORDER BY version DESC LIMIT 1');
    return rows.length ? { ...toSummary(rows[0]), files: rows[0].files!, diff: rows[0].diff! } : null;
  }

  async get(version: number): Promise<Release> {
    const rows: Row[] = await this.ds.query('SELECT * FROM mapping_release WHERE version = $1', [version]);
    if (!rows.length) throw new GridbusError('NOT_FOUND', `no mapping release ${version}`, { details: { version } });
    return { ...toSummary(rows[0]), files: rows[0].files!, diff: rows[0].diff! };
  }

  async list(limit = 50): Promise<ReleaseSummary[]> {
    const rows: Row[] = await this.ds.query(
      'SELECT version, created_at, author, kind, rollback_of, note, checksum FROM mapping_release ORDER BY version DESC LIMIT $1',
      [limit],
    );
    return rows.map(toSummary);
  }

  /** Appends a release; versions are allocated under a table lock so they never collide. */
  async append(files: MappingFiles, meta: { author: string; kind: ReleaseKind; note?: string | null; rollbackOf?: number | null }): Promise<Release> {
    return this.ds.transaction(async (m) => {
      await m.query('LOCK TABLE mapping_release IN EXCLUSIVE MODE');
      const prev: Row[] = await m.query('SELECT version, files FROM mapping_release ORDER BY version DESC LIMIT 1');
      const version = prev.length ? prev[0].version + 1 : 1;
      const diff = diffMappingFiles(prev.length ? prev[0].files! : {}, files).patch;
      const rows: Row[] = await m.query(
        `INSERT INTO mapping_release (version, author, kind, rollback_of, note, checksum, files, diff)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [version, meta.author, meta.kind, meta.rollbackOf ?? null, meta.note ?? null, checksumOf(files), JSON.stringify(files), diff],
      );
      return { ...toSummary(rows[0]), files: rows[0].files!, diff: rows[0].diff! };
    });
  }
}
