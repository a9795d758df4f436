export * from './archive';
export { exportDatabase, Progress } from './export';
export { restore, RestoreReport, TableCheck } from './restore';
export { resolveBackupKey, BACKUP_KEY_FILE } from './backup-key';
export { archiveName, archivesToDelete, ARCHIVE_NAME } from './retention';
