import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'crypto';
import { gunzipSync, gzipSync } from 'zlib';
import { GridbusError } from '../errors/gridbus-error';

/**
 * The backup archive, one file:
 *
 *   header  "GBBACKUP" (8 bytes) | format version (1 byte) | GCM IV (12 bytes)
 *   body    AES-256-GCM( gzip( uint32BE manifest length | manifest JSON | each table's COPY data, in manifest order ) )
 *   tag     the 16-byte GCM tag (the header is authenticated too, as additional data)
 *
 * Nothing of the body is trusted before the tag and every table's sha256 check out (decodeArchive).
 */
export const ARCHIVE_MAGIC = Buffer.from('GBBACKUP', 'ascii');
export const ARCHIVE_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = ARCHIVE_MAGIC.length + 1 + IV_BYTES;

export interface TableManifest {
  name: string;
  columns: string[];
  rows: number;
  /** Bytes of its COPY (text format) data in the body. */
  bytes: number;
  /** sha256 (hex) of its COPY data. */
  sha256: string;
}

export interface BackupManifest {
  format: number;
  createdAt: string;
  /** The schema_migrations names of the source, in order. */
  migrations: string[];
  /** In an order that respects foreign keys (parents first). */
  tables: TableManifest[];
}

export interface TableData {
  name: string;
  columns: string[];
  data: Buffer;
}

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** COPY text format: one line per row (newlines inside values are escaped). */
export const countRows = (data: Buffer): number => {
  let n = 0;
  for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, i + 1)) n++;
  return n;
};

const invalid = (message: string, details: Record<string, unknown> = {}): GridbusError =>
  new GridbusError('BACKUP_INVALID', `backup archive refused: ${message}`, { details });

export function checkKey(key: Buffer): void {
  if (key.length !== 32) throw new Error('a backup key is 32 bytes (64 hex characters)');
}

export function manifestFor(tables: TableData[], migrations: string[], createdAt = new Date()): BackupManifest {
  return {
    format: ARCHIVE_VERSION,
    createdAt: createdAt.toISOString(),
    migrations,
    tables: tables.map((t) => ({ name: t.name, columns: t.columns, rows: countRows(t.data), bytes: t.data.length, sha256: sha256(t.data) })),
  };
}

export function encodeArchive(manifest: BackupManifest, tables: TableData[], key: Buffer): Buffer {
  checkKey(key);
  const json = Buffer.from(JSON.stringify(manifest), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  const plain = gzipSync(Buffer.concat([length, json, ...tables.map((t) => t.data)]));
  const iv = randomBytes(IV_BYTES);
  const header = Buffer.concat([ARCHIVE_MAGIC, Buffer.from([ARCHIVE_VERSION]), iv]);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(header);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([header, body, cipher.getAuthTag()]);
}

export interface DecodedArchive {
  manifest: BackupManifest;
  tables: TableData[];
}

/** Decrypts and checks everything: the tag, the manifest, each table's size, row count and sha256. Throws BACKUP_INVALID naming the fault. */
export function decodeArchive(archive: Buffer, key: Buffer): DecodedArchive {
  checkKey(key);
  if (archive.length < HEADER_BYTES + TAG_BYTES) throw invalid(`the file is ${archive.length} bytes, too short to be a backup (truncated?)`);
  if (!archive.subarray(0, ARCHIVE_MAGIC.length).equals(ARCHIVE_MAGIC)) throw invalid('it does not start with the GBBACKUP header: not a gridbus backup');
  const version = archive[ARCHIVE_MAGIC.length];
  if (version !== ARCHIVE_VERSION) throw invalid(`format version ${version} is not known (this bus reads version ${ARCHIVE_VERSION})`);
  const header = archive.subarray(0, HEADER_BYTES);
  const iv = archive.subarray(ARCHIVE_MAGIC.length + 1, HEADER_BYTES);
  const body = archive.subarray(HEADER_BYTES, archive.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(header);
  decipher.setAuthTag(archive.subarray(archive.length - TAG_BYTES));
  let compressed: Buffer;
  try {
    compressed = Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw invalid('the authentication tag does not match: the file is damaged or truncated, or was made with another BACKUP_KEY');
  }
  let plain: Buffer;
  try {
    plain = gunzipSync(compressed);
  } catch (err) {
    throw invalid(`the body does not decompress (${(err as Error).message})`);
  }
  if (plain.length < 4) throw invalid('the body holds no manifest');
  const manifestLength = plain.readUInt32BE(0);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(plain.subarray(4, 4 + manifestLength).toString('utf8')) as BackupManifest;
  } catch {
    throw invalid('the manifest is not JSON');
  }
  if (manifest?.format !== ARCHIVE_VERSION || !Array.isArray(manifest.tables) || !Array.isArray(manifest.migrations)) throw invalid('the manifest lacks format, tables or migrations');
  const tables: TableData[] = [];
  let offset = 4 + manifestLength;
  for (const t of manifest.tables) {
    if (!Number.isSafeInteger(t.bytes) || t.bytes < 0 || offset + t.bytes > plain.length) throw invalid(`table ${t.name}: its data is shorter than the manifest says`, { table: t.name });
    const data = plain.subarray(offset, offset + t.bytes);
    offset += t.bytes;
    if (sha256(data) !== t.sha256) throw invalid(`table ${t.name}: the checksum of its data does not match the manifest`, { table: t.name });
    if (countRows(data) !== t.rows) throw invalid(`table ${t.name}: ${countRows(data)} rows, the manifest says ${t.rows}`, { table: t.name });
    tables.push({ name: t.name, columns: t.columns, data });
  }
  if (offset !== plain.length) throw invalid(`${plain.length - offset} bytes follow the last table`);
  return { manifest, tables };
}
