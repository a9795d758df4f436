import * as fs from 'fs';
import * as path from 'path';
import type { GridbusConfig } from '../../config';
import { encodeArchive } from './archive';
import { resolveBackupKey } from './backup-key';
import { exportDatabase, Progress } from './export';
import { archiveName, archivesToDelete } from './retention';
import { sourceDatabaseUrl } from './source-url';

export interface BackupResult {
  /** Where the archive went: a local path, or the path on the SFTP drop. */
  location: string;
  tables: number;
  rows: number;
  bytes: number;
  /** Archives retention removed (on the drop, or in VAR_DIR/backups). */
  deleted: string[];
}

/** Writes the file as *.part (0600) and renames it when complete. */
function writeLocal(file: string, archive: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.part`;
  fs.writeFileSync(tmp, archive, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/**
 * One backup: export, archive, then to `to` when given, else to the SFTP drop (BACKUP_SFTP_URL) with
 * retention there, else to VAR_DIR/backups with the same retention. Used by `gridbus backup run` and the backup job.
 */
export async function takeBackup(config: GridbusConfig, options: { to?: string; progress?: Progress } = {}): Promise<BackupResult> {
  const { key } = resolveBackupKey(config);
  const name = archiveName(new Date());
  const { manifest, tables } = await exportDatabase(sourceDatabaseUrl(config), options.progress);
  const archive = encodeArchive(manifest, tables, key);
  const summary = { tables: manifest.tables.length, rows: manifest.tables.reduce((n, t) => n + t.rows, 0), bytes: archive.length };
  if (options.to) {
    const file = path.resolve(options.to);
    writeLocal(file, archive);
    return { location: file, deleted: [], ...summary };
  }
  if (config.backup.sftpUrl) {
    const { uploadToDrop } = await import('./sftp-drop');
    const { path: remote, deleted } = await uploadToDrop(config, name, archive);
    return { location: remote, deleted, ...summary };
  }
  const dir = path.join(config.varDir, 'backups');
  writeLocal(path.join(dir, name), archive);
  const deleted = archivesToDelete(fs.readdirSync(dir), config.backup.keepDaily, config.backup.keepMonthly);
  for (const n of deleted) fs.rmSync(path.join(dir, n), { force: true });
  return { location: path.join(dir, name), deleted, ...summary };
}
