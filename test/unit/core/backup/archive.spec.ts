import { expect } from 'chai';
import { createCipheriv, randomBytes } from 'crypto';
import { gzipSync } from 'zlib';
import { ARCHIVE_MAGIC, BackupManifest, decodeArchive, encodeArchive, manifestFor, TableData } from '../../../../core/backup/archive';

const key = randomBytes(32);
const tables: TableData[] = [
  { name: 'parent', columns: ['id', 'note'], data: Buffer.from('1\ta\\tb\\nc\n2\t\\N\n') },
  { name: 'child', columns: ['id', 'parent_id'], data: Buffer.from('7\t1\n') },
  { name: 'empty', columns: ['id'], data: Buffer.alloc(0) },
];
const manifest = manifestFor(tables, ['Initial1', 'Second2'], new Date('2026-12-04T01:02:03Z'));

function codeOf(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (err) {
    return { code: (err as { errorCode?: string }).errorCode, message: (err as Error).message };
  }
  throw new Error('accepted');
}

/** An archive with a valid tag around a chosen body: what a key holder could forge, checked past the tag. */
function sealed(plain: Buffer): Buffer {
  const iv = randomBytes(12);
  const header = Buffer.concat([ARCHIVE_MAGIC, Buffer.from([1]), iv]);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(header);
  const body = Buffer.concat([c.update(gzipSync(plain)), c.final()]);
  return Buffer.concat([header, body, c.getAuthTag()]);
}
function plainOf(m: BackupManifest, data: Buffer[]): Buffer {
  const json = Buffer.from(JSON.stringify(m));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  return Buffer.concat([len, json, ...data]);
}

describe('backup archive format', () => {
  it('round-trips the manifest and every table, and counts COPY rows by line', () => {
    expect(manifest.tables.map((t) => [t.name, t.rows, t.bytes])).to.deep.equal([
      ['parent', 2, tables[0].data.length],
      ['child', 1, 4],
      ['empty', 0, 0],
    ]);
    const decoded = decodeArchive(encodeArchive(manifest, tables, key), key);
    expect(decoded.manifest).to.deep.equal(manifest);
    expect(decoded.tables.map((t) => t.data.toString())).to.deep.equal(tables.map((t) => t.data.toString()));
  });

  it('is encrypted: no table data or name appears in the file, and two archives of the same data differ', () => {
    const a = encodeArchive(manifest, tables, key);
    expect(a.subarray(0, 8).toString()).to.equal('GBBACKUP');
    expect(a.includes(Buffer.from('parent'))).to.equal(false);
    expect(a.equals(encodeArchive(manifest, tables, key))).to.equal(false);
  });

  it('refuses a truncated file, a flipped byte anywhere, another key, another header or version with BACKUP_INVALID', () => {
    const a = encodeArchive(manifest, tables, key);
    expect(codeOf(() => decodeArchive(a.subarray(0, 20), key))).to.include({ code: 'BACKUP_INVALID' });
    expect(codeOf(() => decodeArchive(a.subarray(0, a.length - 1), key)).message).to.match(/authentication tag/);
    for (let at = 9; at < a.length; at += 7) {
      const d = Buffer.from(a);
      d[at] ^= 0x80;
      expect(codeOf(() => decodeArchive(d, key)), `byte ${at}`).to.include({ code: 'BACKUP_INVALID' });
    }
    expect(codeOf(() => decodeArchive(a, randomBytes(32))).message).to.match(/another BACKUP_KEY/);
    const notOurs = Buffer.from(a);
    notOurs[0] = 0x58;
    expect(codeOf(() => decodeArchive(notOurs, key)).message).to.match(/not a gridbus backup/);
    const future = Buffer.from(a);
    future[8] = 9;
    expect(codeOf(() => decodeArchive(future, key)).message).to.match(/format version 9/);
  });

  it('checks each table against the manifest even under a valid tag: checksum, size, row count, trailing bytes', () => {
    const data = tables.map((t) => t.data);
    const changed = [Buffer.from('1\tX\\tb\\nc\n2\t\\N\n'), data[1], data[2]];
    expect(codeOf(() => decodeArchive(sealed(plainOf(manifest, changed)), key)).message).to.match(/table parent: the checksum/);
    expect(codeOf(() => decodeArchive(sealed(plainOf(manifest, data.slice(0, 1))), key)).message).to.match(/table child: its data is shorter/);
    const wrongRows = { ...manifest, tables: manifest.tables.map((t) => (t.name === 'child' ? { ...t, rows: 5 } : t)) };
    expect(codeOf(() => decodeArchive(sealed(plainOf(wrongRows, data)), key)).message).to.match(/table child: 1 rows, the manifest says 5/);
    expect(codeOf(() => decodeArchive(sealed(plainOf(manifest, [...data, Buffer.from('x')])), key)).message).to.match(/1 bytes follow the last table/);
  });
});
