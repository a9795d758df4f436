import { createHash } from 'crypto';
import { posix } from 'path';
import { Readable } from 'stream';
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

  /** move() that does nothing when `from` is not there (a done file already moved before a crash). */
  async moveIfPresent(from: string, to: string): Promise<void> {
    if (await this.stat(from)) await this.move(from, to);
  }

  async removeIfPresent(path: string): Promise<void> {
    if (await this.stat(path)) await this.remove(path);
  }

  /** Writes a small file in one request (reason files, done files). */
  async writeSmall(path: string, content: string): Promise<void> {
    await this.ensureDir(posix.dirname(path));
    await this.connection.run(`write ${path}`, (c) => c.put(Buffer.from(content, 'utf8'), path));
  }

  /**
   * Writes a small file that replaces any older one of that name as a whole
   * (written under a temp name, given `mode` explicitly, then renamed over):
   * never appended to, never left with the older file's mode or the
   * server's default 0666 & ~umask.
   */
  async writeReplacing(path: string, content: string, mode: number): Promise<void> {
    const dir = posix.dirname(path);
    const temp = posix.join(dir, `.tmp-${posix.basename(path)}`);
    await this.ensureDir(dir);
    await this.connection.run(`write ${temp}`, (c) => c.put(Buffer.from(content, 'utf8'), temp, { writeStreamOptions: { flags: 'w', mode } }));
    // the open mode is only a request (umask applies, an existing temp keeps its mode): set it
    await this.connection.run(`chmod ${temp}`, (c) => c.chmod(temp, mode));
    await this.rename(temp, path);
  }

  /** sha256 of a file's bytes, streamed (never held whole). */
  async sha256(path: string): Promise<string> {
    const client = await this.connection.ensure();
    const hash = createHash('sha256');
    const stream = client.createReadStream(path) as unknown as Readable;
    try {
      for await (const chunk of stream) hash.update(chunk as Buffer);
    } finally {
      if (!stream.destroyed) stream.destroy();
    }
    return hash.digest('hex');
  }
}
