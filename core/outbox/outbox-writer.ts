import { randomUUID } from 'crypto';
import { PiiCipher } from '../crypto';

/** Runs SQL on the caller's transaction (a TypeORM EntityManager or QueryRunner). */
export interface SqlRunner {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface OutboxEntry {
  /** The canonical operation that delivers it, e.g. marketing.updateArchive. */
  operation: string;
  /** Rows of one key are delivered in order (the account number). */
  partitionKey: string;
  /** The canonical request without the serial (added at delivery). */
  payload: Record<string, unknown>;
  /** Keys of `payload` that are personal data: stored as one PiiCipher token, never in clear. */
  piiFields: string[];
  /** The idempotency key sent to the back end; a fresh UUID unless the caller's own key is the serial (a payment's out_trade_no). */
  serial?: string;
}

/** The stored form of a payload: fields in clear, and the personal ones sealed together. */
export interface StoredPayload {
  data: Record<string, unknown>;
  pii: string | null;
}

export function sealPayload(cipher: PiiCipher | null, payload: Record<string, unknown>, piiFields: string[]): StoredPayload {
  const data: Record<string, unknown> = {};
  const pii: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) (piiFields.includes(k) ? pii : data)[k] = v;
  if (!Object.keys(pii).length) return { data, pii: null };
  if (!cipher) throw new Error('an outbox payload with personal fields needs the PII key');
  return { data, pii: cipher.encrypt(JSON.stringify(pii)) };
}

/** Throws (PiiDecryptError, SyntaxError) when the token was not sealed with this key. */
export function openPayload(cipher: PiiCipher, stored: StoredPayload): Record<string, unknown> {
  const pii = stored.pii ? (JSON.parse(cipher.decrypt(stored.pii)) as Record<string, unknown>) : {};
  return { ...stored.data, ...pii };
}

/**
 * Writes one outbox row on the caller's transaction: the row commits or rolls
 * back with the change that causes it. Returns the row's id and serial.
 */
export async function enqueueOutbox(tx: SqlRunner, cipher: PiiCipher | null, entry: OutboxEntry): Promise<{ id: string; serial: string }> {
  const serial = entry.serial ?? randomUUID();
  const rows = (await tx.query(
    `INSERT INTO outbox (operation, partition_key, serial, payload) VALUES ($1, $2, $3, $4) RETURNING id`,
    [entry.operation, entry.partitionKey, serial, JSON.stringify(sealPayload(cipher, entry.payload, entry.piiFields))],
  )) as Array<{ id: string }>;
  return { id: String(rows[0].id), serial };
}
