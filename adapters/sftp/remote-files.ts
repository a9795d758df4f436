import { posix } from 'path';
import { isNoSuchFile } from './sftp-errors';
import { SftpConnection } from './sftp-connection';

export interface RemoteEntry {
  name: string;
  /** '-' file, 'd' directory, 'l' link. */
  type: string;
  size: number;
  /** ms since the epoch (whole seconds). */
  mtime: number;
}

/**
 * The few file operations the consumer and producer need, each one SFTP
 * request run through the connection (timeout, error translation).
 * Moves are renames on the server, never copies: a file is at its old path
 * or its new one, never half in both.
 */
export class RemoteFiles {
  private readonly knownDirs = new Set<string>();

  constructor(private readonly connection: SftpConnection) {}

  /** Forget which directories were seen (a new session, or one was deleted). */
  forgetDirectories(): void {
    this.knownDirs.clear();
  }

  async list(dir: string): Promise<RemoteEntry[]> {
    const entries = await this.connection.run(`list ${dir}`, (c) => c.list(dir));
    return entries.map((e) => ({ name: e.name, type: e.type, size: e.size, mtime: e.modifyTime }));
  }

  /** The file's size and mtime, or undefined when there is no such file. */
  async stat(path: string): Promise<{ size: number; mtime: number; isFile: boolean } | undefined> {
    try {
      const s = await this.connection.run(`stat ${path}`, (c) => c.stat(path));
      return { size: s.size, mtime: s.modifyTime, isFile: s.isFile };
    } catch (err) {
      if (isNoSuchFile(err) && this.connection.connected) return undefined;
      throw err;
    }
  }

  async ensureDir(dir: string): Promise<void> {
    if (dir === '.' || dir === '/' || this.knownDirs.has(dir)) return;
    try {
      await this.connection.run(`mkdir ${dir}`, (c) => c.mkdir(dir, true));
    } catch (err) {
      // another node may have created it in between
      const s = await this.stat(dir).catch(() => undefined);
      if (!s || s.isFile) throw err;
    }
    this.knownDirs.add(dir);
  }

  /**
   * Renames `from` to `to`, replacing `to` if it exists (posix-rename@openssh.com:
   * atomic), creating `to`'s directory when missing.
   */
  async move(from: string, to: string): Promise<void> {
    const dir = posix.dirname(to);
    await this.ensureDir(dir);
    try {
      await this.rename(from, to);
    } catch (err) {
      if (!isNoSuchFile(err) || !this.connection.connected) throw err;
      // the target directory may have been deleted since we created it
      this.knownDirs.delete(dir);
      await this.ensureDir(dir);
      await this.rename(from, to);
    }
  }

  private async rename(from: string, to: string): Promise<void> {
    await this.connection.run(`rename ${from} ${to}`, async (c) => {
      try {
        await c.posixRename(from, to);
      } catch (err) {
        if (!/does not support/i.test((err as Error).message ?? '')) throw err;
        // a server without the OpenSSH extension: plain SFTP rename refuses an existing target
        await c.delete(to, true);
        await c.rename(from, to);
      }
    });
  }

  async remove(path: string): Promise<void> {
    await this.connection.run(`delete ${path}`, (c) => c.delete(path, true));
  }

  /** Writes a small file in one request (reason files, done files). */
  async writeSmall(path: string, content: string): Promise<void> {
    await this.ensureDir(posix.dirname(path));
    await this.connection.run(`write ${path}`, (c) => c.put(Buffer.from(content, 'utf8'), path));
  }
}
