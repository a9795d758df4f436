import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import type { PiiCipher } from '../../core/crypto';
import { maskEmail } from '../../core/electricity/email';
import { enqueueOutbox } from '../../core/outbox/outbox-writer';

export const SUBSCRIBE_OPERATION = 'marketing.subscribeEBill';

/**
 * PENDING until the outbox delivered it (also while its outcome is being
 * settled), APPLIED once the marketing system applied it, FAILED when it was
 * refused or an operator gave up on it (docs/electricity.md).
 */
export type RequestState = 'PENDING' | 'APPLIED' | 'FAILED';

export interface EBillRequestView {
  serial: string;
  subscribe: boolean;
  /** masked */
  email: string | null;
  state: RequestState;
  requestedAt: string;
}

function stateOf(outboxStatus: string | null): RequestState {
  if (outboxStatus === 'delivered') return 'APPLIED';
  if (outboxStatus === 'dead' || outboxStatus === 'discarded') return 'FAILED';
  return 'PENDING';
}

/**
 * The user's request and the outbox row that delivers it, in one
 * transaction: both or neither. The serial (a fresh UUID) is the marketing
 * system's idempotency key. The e-mail is sealed in both rows.
 */
export async function requestEBillChange(
  ds: DataSource,
  cipher: PiiCipher | null,
  change: { userId: string; accountNo: string; subscribe: boolean; email: string | null },
): Promise<EBillRequestView> {
  const serial = randomUUID();
  return ds.transaction(async (tx) => {
    const rows = (await tx.query(
      `INSERT INTO electricity_ebill_requests (serial, user_id, account_no, subscribe, email_enc) VALUES ($1, $2, $3, $4, $5) RETURNING created_at`,
      [serial, change.userId, change.accountNo, change.subscribe, change.email && cipher ? cipher.encrypt(change.email) : null],
    )) as Array<{ created_at: Date }>;
    await enqueueOutbox(tx, cipher, {
      operation: SUBSCRIBE_OPERATION,
      partitionKey: change.accountNo,
      serial,
      payload: { accountNo: change.accountNo, subscribe: change.subscribe, ...(change.email ? { email: change.email } : {}) },
      piiFields: change.email ? ['email'] : [],
    });
    return { serial, subscribe: change.subscribe, email: change.email ? maskEmail(change.email) : null, state: 'PENDING' as const, requestedAt: rows[0].created_at.toISOString() };
  });
}

/** The user's latest e-bill request for the account, with its state from the outbox row; null when none. */
export async function lastEBillRequest(ds: DataSource, cipher: PiiCipher | null, userId: string, accountNo: string): Promise<EBillRequestView | null> {
  const rows = (await ds.query(
    `SELECT r.serial, r.subscribe, r.email_enc, r.created_at, o.status
       FROM electricity_ebill_requests r LEFT JOIN outbox o ON o.serial = r.serial
      WHERE r.user_id = $1 AND r.account_no = $2
      ORDER BY r.id DESC LIMIT 1`,
    [userId, accountNo],
  )) as Array<{ serial: string; subscribe: boolean; email_enc: string | null; created_at: Date; status: string | null }>;
  if (!rows.length) return null;
  const r = rows[0];
  let email: string | null = null;
  if (r.email_enc) email = cipher ? maskEmail(cipher.decrypt(r.email_enc)) : '***';
  return { serial: r.serial, subscribe: r.subscribe, email, state: stateOf(r.status), requestedAt: r.created_at.toISOString() };
}

/**
 * The last change of the account's subscription the marketing system applied
 * (by anyone; 0 when none): the cached subscription is kept per this mark, so
 * an answer asked for before a change was applied is never served after it.
 * Database ids, not clocks: no skew between nodes and database matters.
 */
export async function appliedMark(ds: DataSource, accountNo: string): Promise<string> {
  const rows = (await ds.query(
    `SELECT coalesce(max(r.id), 0)::text AS mark FROM electricity_ebill_requests r JOIN outbox o ON o.serial = r.serial
      WHERE r.account_no = $1 AND o.status = 'delivered'`,
    [accountNo],
  )) as Array<{ mark: string }>;
  return rows[0].mark;
}
