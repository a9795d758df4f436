import { posix } from 'path';
import type { GridbusConfig } from '../../config';
import { RemoteFiles } from '../../adapters/sftp/remote-files';
import { SftpConnection } from '../../adapters/sftp/sftp-connection';
import { SftpProducer } from '../../adapters/sftp/sftp-producer';
import { SftpProducerOptions } from '../../adapters/sftp/sftp-options';
import { archivesToDelete } from './retention';

/** BACKUP_SFTP_URL (sftp://user@host:port/dir) with its key file and known_hosts as SFTP producer options. */
export function dropOptions(config: GridbusConfig): SftpProducerOptions {
  const url = new URL(config.backup.sftpUrl!);
  return {
    id: 'backup-drop',
    host: url.hostname,
    port: url.port ? Number(url.port) : 22,
    username: decodeURIComponent(url.username),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(config.backup.sftpKeyFile ? { privateKeyFile: config.backup.sftpKeyFile } : {}),
    ...(config.backup.sftpKnownHosts ? { knownHostsFile: config.backup.sftpKnownHosts } : {}),
    directory: decodeURIComponent(url.pathname) || '/',
  };
}

/**
 * Puts the archive on the data center's drop (written as .tmp-<name>, renamed when complete), then
 * applies retention there (BACKUP_KEEP_DAILY / BACKUP_KEEP_MONTHLY). Answers the remote path and the names deleted.
 */
export async function uploadToDrop(config: GridbusConfig, name: string, archive: Buffer): Promise<{ path: string; deleted: string[] }> {
  const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const producer = new SftpProducer(dropOptions(config), { logger: quiet });
  await producer.start();
  try {
    const { path } = await producer.put(name, archive);
    const connection = new SftpConnection(producer.options.connection, producer.endpoint, quiet);
    const files = new RemoteFiles(connection);
    try {
      const dir = producer.options.directory;
      const names = (await files.list(dir)).filter((e) => e.type === '-').map((e) => e.name);
      const deleted = archivesToDelete(names, config.backup.keepDaily, config.backup.keepMonthly);
      for (const n of deleted) await files.remove(posix.join(dir, n));
      return { path, deleted };
    } finally {
      await connection.close();
    }
  } finally {
    await producer.stop();
  }
}
