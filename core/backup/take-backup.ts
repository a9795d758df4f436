import * as fs from 'fs';
import * as path from 'path';
import type { GridbusConfig } from '../../config';
import { maskUrlSecrets } from '../crypto/mask-url';
import { GridbusError } from '../errors';
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
    let uploaded: { path: string; deleted: string[] };
    try {
      uploaded = await uploadToDrop(config, name, archive);
    } catch (err) {
      throw uploadRefused(config, name, archive, err as Error);
    }
    return { location: uploaded.path, deleted: uploaded.deleted, ...summary };
  }
  const { file, deleted } = keepLocally(config, name, archive);
  return { location: file, deleted, ...summary };
}

/** VAR_DIR/backups/<name>, then retention (BACKUP_KEEP_DAILY / BACKUP_KEEP_MONTHLY) there. */
function keepLocally(config: GridbusConfig, name: string, archive: Buffer): { file: string; deleted: string[] } {
  const dir = path.join(config.varDir, 'backups');
  writeLocal(path.join(dir, name), archive);
  const deleted = archivesToDelete(fs.readdirSync(dir), config.backup.keepDaily, config.backup.keepMonthly);
  for (const n of deleted) fs.rmSync(path.join(dir, n), { force: true });
  return { file: path.join(dir, name), deleted };
}

/**
 * The drop refused (connection, credentials, a path that is no directory, no space): the archive is
 * kept in VAR_DIR/backups so nothing is lost, and the error names BACKUP_SFTP_URL (credentials masked) and the cause.
 */
function uploadRefused(config: GridbusConfig, name: string, archive: Buffer, cause: Error): GridbusError {
  const url = new URL(config.backup.sftpUrl!);
  const mask = (text: string) => {
    let t = maskUrlSecrets(text);
    if (url.password) t = t.split(decodeURIComponent(url.password)).join('***').split(url.password).join('***');
    return t;
  };
  let kept: string;
  try {
    kept = `the archive is kept at ${keepLocally(config, name, archive).file}`;
  } catch (err) {
    kept = `the archive could not be kept locally either (${(err as Error).message})`;
  }
  return new GridbusError('BACKUP_UPLOAD_FAILED', `BACKUP_SFTP_URL ${mask(config.backup.sftpUrl!)} refused the upload: ${mask(cause.message)}; ${kept}`, {
    details: { target: mask(config.backup.sftpUrl!), name },
  });
}
