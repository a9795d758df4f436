import { takeBackup } from '../../core/backup/take-backup';
import { JobKind } from '../job-kind';

/**
 * The nightly backup (core/backup): every table exported, encrypted with BACKUP_KEY, put on the
 * SFTP drop (BACKUP_SFTP_URL) or in VAR_DIR/backups, then retention (BACKUP_KEEP_DAILY /
 * BACKUP_KEEP_MONTHLY) there. Without BACKUP_KEY outside the embedded default each run fails naming it.
 */
export const backupJob: JobKind = {
  name: 'backup',
  description: 'encrypted backup of the database to the SFTP drop (or VAR_DIR/backups), then retention there',
  defaultSchedule: { cron: '15 2 * * *', maxAttempts: 3, backoffMs: 900_000, missed: 'catchUp', leaseMs: 1_800_000 },
  async run(ctx) {
    let tables = 0;
    const r = await takeBackup(ctx.deps.config, {
      progress: () => {
        tables++;
        if (ctx.signal.aborted) throw new Error('stopped during the backup');
      },
    });
    ctx.log.info(`backup: ${r.bytes} bytes (${r.tables} tables, ${r.rows} rows) to ${r.location}; retention removed ${r.deleted.length ? r.deleted.join(', ') : 'nothing'}`);
    return { tables: r.tables || tables, rows: r.rows, bytes: r.bytes, deleted: r.deleted.length };
  },
};
