import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** Relative paths the store hands out: yyyy/mm/<32 hex>.<ext>; anything else is refused on read and delete. */
const STORED_PATH = /^[0-9]{4}\/[0-9]{2}\/[0-9a-f]{32}\.(jpg|png|webp)$/;

/**
 * Uploaded files on the node's disk, under VAR_DIR/uploads (never a folder
 * the gateway serves). Names are random: the client's file name is never
 * used. Files are 0600, folders 0700. A file is written to a temporary name
 * and renamed, so a half-written photo never carries a stored name.
 */
export class UploadStore {
  constructor(readonly root: string) {}

  /** Stores `data`; returns the path relative to the root. */
  async save(data: Buffer, ext: 'jpg' | 'png' | 'webp', now = new Date()): Promise<string> {
    const dir = path.posix.join(String(now.getUTCFullYear()), String(now.getUTCMonth() + 1).padStart(2, '0'));
    await fs.promises.mkdir(path.join(this.root, dir), { recursive: true, mode: 0o700 });
    const rel = path.posix.join(dir, `${randomBytes(16).toString('hex')}.${ext}`);
    const tmp = `${this.absolute(rel)}.${process.pid}.tmp`;
    await fs.promises.writeFile(tmp, data, { mode: 0o600, flag: 'wx' });
    await fs.promises.rename(tmp, this.absolute(rel));
    return rel;
  }

  /** A stored file as a stream (a photo sent to a client; streams cross the transporter in chunks). */
  open(rel: string): fs.ReadStream {
    return fs.createReadStream(this.absolute(rel));
  }

  read(rel: string): Promise<Buffer> {
    return fs.promises.readFile(this.absolute(rel));
  }

  /** Removes stored files (a report that was not kept); missing ones are fine. */
  async remove(rels: readonly string[]): Promise<void> {
    await Promise.all(rels.map((rel) => fs.promises.rm(this.absolute(rel), { force: true })));
  }

  /**
   * Files of the given months (`yyyy/mm`) last written before `olderThan`:
   * stored names and temporary ones a crash left. What the caller does not
   * know of is an orphan of a crash between writing a file and committing
   * its row.
   */
  async listOlderThan(months: readonly string[], olderThan: Date): Promise<Array<{ rel: string; temporary: boolean }>> {
    const out: Array<{ rel: string; temporary: boolean }> = [];
    for (const month of months) {
      const dir = path.join(this.root, ...month.split('/'));
      let names: string[];
      try {
        names = await fs.promises.readdir(dir);
      } catch {
        continue; // no upload that month
      }
      for (const name of names) {
        const rel = `${month}/${name}`;
        const temporary = name.endsWith('.tmp');
        if (!temporary && !STORED_PATH.test(rel)) continue;
        const stat = await fs.promises.stat(path.join(dir, name)).catch(() => null);
        if (stat?.isFile() && stat.mtime < olderThan) out.push({ rel, temporary });
      }
    }
    return out;
  }

  /** Removes a temporary file a crash left (its name is `<stored name>.<pid>.tmp`). */
  async removeTemporary(rel: string): Promise<void> {
    const m = /^(.*)\.[0-9]+\.tmp$/.exec(rel);
    if (!m || !STORED_PATH.test(m[1])) throw new Error(`not a temporary upload path: ${JSON.stringify(rel)}`);
    await fs.promises.rm(path.join(this.root, ...rel.split('/')), { force: true });
  }

  private absolute(rel: string): string {
    if (!STORED_PATH.test(rel)) throw new Error(`not a stored upload path: ${JSON.stringify(rel)}`);
    return path.join(this.root, ...rel.split('/'));
  }
}
