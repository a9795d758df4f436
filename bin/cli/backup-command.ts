import * as fs from 'fs';
import { CliError, UsageError } from './cli-error';
import { CliCommand } from './command';
import { readConfig, stringOption } from './options';

export const BACKUP_USAGE = `Usage: gridbus backup <command> [options]

  run [--to FILE]                      export every table of the bus's database into one encrypted archive:
                                       to FILE, else to BACKUP_SFTP_URL, else VAR_DIR/backups/ (then retention there)
  restore --from FILE --to DATABASE_URL  check an archive, then restore it into an EMPTY database

Both run here, against DATABASE_URL, or for the embedded default against its PostgreSQL, which must be
running (start the bus first): 127.0.0.1:EMBEDDED_PG_PORT with the password in VAR_DIR/pg.credentials/password.
The archive is gzip-compressed and encrypted with BACKUP_KEY (64 hex; the embedded default generates
VAR_DIR/backup/key). Progress goes to stderr, one line per table. docs/operations.md "Backup and restore".`;

const progress = (line: string): void => {
  process.stderr.write(`backup: ${line}\n`);
};

/** A refused archive or target: its code and message in one line, exit 1. */
async function reported<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const code = (err as { errorCode?: unknown }).errorCode;
    if (code === 'BACKUP_INVALID' || code === 'BACKUP_TARGET_NOT_EMPTY' || code === 'BACKUP_UPLOAD_FAILED') throw new CliError(`${code}: ${(err as Error).message}`);
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
    const { takeBackup } = await import('../../core/backup/take-backup');
    const r = await reported(() => takeBackup(config, { to: stringOption(line, 'to'), progress }));
    process.stdout.write(`${r.location}\n`);
    progress(`wrote ${r.bytes} bytes: ${r.tables} tables, ${r.rows} rows, to ${r.location}`);
    progress(r.deleted.length ? `retention removed ${r.deleted.join(', ')}` : 'retention removed nothing');
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
