import * as fs from 'fs';
import * as path from 'path';
import type { GridbusConfig } from '../../config';
import { CliError, UsageError } from './cli-error';
import { CliCommand } from './command';
import { readConfig, stringOption } from './options';

export const BACKUP_USAGE = `Usage: gridbus backup <command> [options]

  run [--to FILE]                      export every table of the bus's database into one encrypted archive:
                                       to FILE, else to BACKUP_SFTP_URL (then retention there), else VAR_DIR/backups/
  restore --from FILE --to DATABASE_URL  check an archive, then restore it into an EMPTY database

Both run here, against DATABASE_URL, or for the embedded default against its PostgreSQL, which must be
running (start the bus first): 127.0.0.1:EMBEDDED_PG_PORT with the password in VAR_DIR/pg.credentials/password.
The archive is gzip-compressed and encrypted with BACKUP_KEY (64 hex; the embedded default generates
VAR_DIR/backup/key). Progress goes to stderr, one line per table. docs/operations.md "Backup and restore".`;

/** The database a backup reads: DATABASE_URL, or the running embedded PostgreSQL of VAR_DIR. */
export function sourceDatabaseUrl(config: GridbusConfig): string {
  if (config.database.url) return config.database.url;
  const file = path.join(`${config.database.embeddedDir}.credentials`, 'password');
  let password: string;
  try {
    password = fs.readFileSync(file, 'utf8').trim();
  } catch {
    throw new CliError(`no DATABASE_URL and no embedded database password in ${file}: set DATABASE_URL, or start the bus once (gridbus start)`);
  }
  return `postgres://gridbus:${encodeURIComponent(password)}@127.0.0.1:${config.database.embeddedPort}/gridbus`;
}

const progress = (line: string): void => {
  process.stderr.write(`backup: ${line}\n`);
};

/** A refused archive or target: its code and message in one line, exit 1. */
async function reported<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const code = (err as { errorCode?: unknown }).errorCode;
    if (code === 'BACKUP_INVALID' || code === 'BACKUP_TARGET_NOT_EMPTY') throw new CliError(`${code}: ${(err as Error).message}`);
    throw err;
  }
}

const run: CliCommand = {
  name: 'backup run',
  summary: 'export the database into an encrypted archive',
  usage: BACKUP_USAGE,
  options: { to: { type: 'string' } },
  async run(line, args) {
    const config = readConfig(args);
    const { archiveName, exportDatabase, encodeArchive, resolveBackupKey } = await import('../../core/backup');
    const { key } = resolveBackupKey(config);
    const name = archiveName(new Date());
    const toOption = stringOption(line, 'to');
    const { manifest, tables } = await exportDatabase(sourceDatabaseUrl(config), progress);
    const archive = encodeArchive(manifest, tables, key);
    const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
    const what = `${archive.length} bytes: ${manifest.tables.length} tables, ${rows} rows, schema ${manifest.migrations.at(-1)}`;
    if (config.backup.sftpUrl && !toOption) {
      const { uploadToDrop } = await import('../../core/backup/sftp-drop');
      const { path: remote, deleted } = await uploadToDrop(config, name, archive);
      process.stdout.write(`${remote}\n`);
      progress(`uploaded ${what} to the drop as ${remote}`);
      progress(deleted.length ? `retention removed ${deleted.join(', ')}` : 'retention removed nothing');
      return;
    }
    const to = path.resolve(toOption ?? path.join(config.varDir, 'backups', name));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    const tmp = `${to}.${process.pid}.part`;
    fs.writeFileSync(tmp, archive, { mode: 0o600 });
    fs.renameSync(tmp, to);
    process.stdout.write(`${to}\n`);
    progress(`wrote ${what}`);
  },
};

const restoreCommand: CliCommand = {
  name: 'backup restore',
  summary: 'restore an archive into an empty database',
  usage: BACKUP_USAGE,
  options: { from: { type: 'string' }, to: { type: 'string' } },
  async run(line, args) {
    const from = stringOption(line, 'from');
    const to = stringOption(line, 'to');
    if (!from || !to) throw new UsageError('backup restore needs --from FILE and --to DATABASE_URL');
    const config = readConfig(args);
    const { restore, resolveBackupKey } = await import('../../core/backup');
    const { key } = resolveBackupKey(config);
    let archive: Buffer;
    try {
      archive = fs.readFileSync(from);
    } catch (err) {
      throw new CliError(`cannot read ${from}: ${(err as Error).message}`);
    }
    const report = await reported(() => restore(archive, key, to, progress));
    const bad = report.tables.filter((t) => !t.ok);
    if (bad.length) throw new CliError(`restored, but ${bad.length} tables differ from the archive: ${bad.map((t) => t.name).join(', ')}`);
    process.stdout.write(`restored ${report.tables.length} tables of the backup of ${report.createdAt}; every row count and checksum matches\n`);
  },
};

export const BACKUP_COMMANDS: CliCommand[] = [run, restoreCommand];
