import { GridbusError } from '../errors';
import type { SqlRunner } from '../outbox/outbox-writer';

/** Why points move; a ledger row's `reason`. */
export type PointsReason = 'PAYMENT_WRITTEN_OFF' | 'EBILL_SUBSCRIBED' | 'REPORT_ACCEPTED' | 'REDEMPTION';

export interface LedgerEntry {
  id: string;
  delta: number;
  balanceAfter: number;
  reason: string;
  sourceEvent: string;
  at: string;
}

const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) && Array.isArray(r[0]) ? (r[0] as T[]) : (r as T[]));

/**
 * Adds points for one event, once: the source event id is unique in the
 * ledger, so a redelivered event (another node, a retry, a replay) adds
 * nothing. Runs on the caller's transaction. Returns the new entry, or null
 * when this event was already counted.
 */
export async function earnPoints(tx: SqlRunner, e: { userId: string; points: number; reason: PointsReason; sourceEvent: string; actor: string }): Promise<LedgerEntry | null> {
  if (!Number.isSafeInteger(e.points) || e.points <= 0) throw new Error(`points to earn must be a positive integer, got ${e.points}`);
  await tx.query(`INSERT INTO points_accounts (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING`, [e.userId]);
  // the account row is the lock every move of this user's balance takes
  const [account] = rowsOf<{ balance: string }>(await tx.query(`SELECT balance FROM points_accounts WHERE user_id = $1 FOR UPDATE`, [e.userId]));
  const balanceAfter = Number(account.balance) + e.points;
  const inserted = rowsOf<{ id: string; at: Date }>(
    await tx.query(
      `INSERT INTO points_ledger (user_id, delta, balance_after, reason, source_event, actor) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (source_event) DO NOTHING RETURNING id, at`,
      [e.userId, e.points, balanceAfter, e.reason, e.sourceEvent, e.actor],
    ),
  );
  if (!inserted.length) return null;
  await tx.query(`UPDATE points_accounts SET balance = $2, updated_at = now() WHERE user_id = $1`, [e.userId, balanceAfter]);
  return { id: String(inserted[0].id), delta: e.points, balanceAfter, reason: e.reason, sourceEvent: e.sourceEvent, at: new Date(inserted[0].at).toISOString() };
}

export interface Redemption {
  id: string;
  itemId: string;
  cost: number;
  balanceAfter: number;
  clientRequestId: string;
  createdAt: string;
  /** false: this client request id was redeemed before; this is that redemption, nothing taken again. */
  created: boolean;
}

/**
 * Redeems one catalogue item. The user's account row is locked first, so
 * concurrent redemptions of one user run one after the other and each sees
 * the balance the previous left; the CHECK (balance >= 0) of points_accounts
 * and points_ledger stands behind it. The same client request id again
 * answers the first redemption (a different item with it is refused).
 */
export async function redeemPoints(tx: SqlRunner, r: { userId: string; itemId: string; clientRequestId: string }): Promise<Redemption> {
  await tx.query(`INSERT INTO points_accounts (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING`, [r.userId]);
  const [account] = rowsOf<{ balance: string }>(await tx.query(`SELECT balance FROM points_accounts WHERE user_id = $1 FOR UPDATE`, [r.userId]));
  const [previous] = rowsOf<{ id: string; item_id: string; cost: string; balance_after: string; created_at: Date }>(
    await tx.query(
      `SELECT r.id, r.item_id, r.cost, l.balance_after, r.created_at FROM points_redemptions r JOIN points_ledger l ON l.id = r.ledger_id
       WHERE r.user_id = $1 AND r.client_request_id = $2`,
      [r.userId, r.clientRequestId],
    ),
  );
  if (previous) {
    if (previous.item_id !== r.itemId) {
      throw new GridbusError('IDEMPOTENCY_KEY_REUSED', 'This clientRequestId was used for another item: use a new one for a new redemption', { details: { field: 'clientRequestId' } });
    }
    return { id: String(previous.id), itemId: previous.item_id, cost: Number(previous.cost), balanceAfter: Number(previous.balance_after), clientRequestId: r.clientRequestId, createdAt: new Date(previous.created_at).toISOString(), created: false };
  }
  const [item] = rowsOf<{ cost: string; stock: number | null; active: boolean }>(await tx.query(`SELECT cost, stock, active FROM points_catalogue WHERE item_id = $1 FOR UPDATE`, [r.itemId]));
  if (!item || !item.active) throw new GridbusError('CATALOGUE_ITEM_NOT_FOUND', `No catalogue item ${r.itemId} can be redeemed`);
  if (item.stock !== null && item.stock <= 0) throw new GridbusError('CATALOGUE_ITEM_OUT_OF_STOCK', `Catalogue item ${r.itemId} is out of stock`);
  const cost = Number(item.cost);
  const balance = Number(account.balance);
  if (balance < cost) {
    throw new GridbusError('POINTS_INSUFFICIENT', `Your ${balance} points do not cover the ${cost} this item costs`, { details: { balance, cost } });
  }
  const balanceAfter = balance - cost;
  const [entry] = rowsOf<{ id: string }>(
    await tx.query(
      `INSERT INTO points_ledger (user_id, delta, balance_after, reason, source_event, actor) VALUES ($1, $2, $3, 'REDEMPTION', $4, $1) RETURNING id`,
      [r.userId, -cost, balanceAfter, `redemption:${r.userId}:${r.clientRequestId}`],
    ),
  );
  await tx.query(`UPDATE points_accounts SET balance = $2, updated_at = now() WHERE user_id = $1`, [r.userId, balanceAfter]);
  if (item.stock !== null) await tx.query(`UPDATE points_catalogue SET stock = stock - 1, updated_at = now() WHERE item_id = $1`, [r.itemId]);
  const [saved] = rowsOf<{ id: string; created_at: Date }>(
    await tx.query(`INSERT INTO points_redemptions (user_id, client_request_id, item_id, cost, ledger_id) VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at`, [
      r.userId,
      r.clientRequestId,
      r.itemId,
      cost,
      entry.id,
    ]),
  );
  return { id: String(saved.id), itemId: r.itemId, cost, balanceAfter, clientRequestId: r.clientRequestId, createdAt: new Date(saved.created_at).toISOString(), created: true };
}

/** A user's balance and newest entries (an operator's view and the user's own). */
export async function pointsStatement(db: SqlRunner, userId: string, limit: number): Promise<{ balance: number; entries: LedgerEntry[] }> {
  const [account] = rowsOf<{ balance: string }>(await db.query(`SELECT balance FROM points_accounts WHERE user_id = $1`, [userId]));
  const rows = rowsOf<{ id: string; delta: string; balance_after: string; reason: string; source_event: string; at: Date }>(
    await db.query(`SELECT id, delta, balance_after, reason, source_event, at FROM points_ledger WHERE user_id = $1 ORDER BY id DESC LIMIT $2`, [userId, limit]),
  );
  return {
    balance: account ? Number(account.balance) : 0,
    entries: rows.map((e) => ({ id: String(e.id), delta: Number(e.delta), balanceAfter: Number(e.balance_after), reason: e.reason, sourceEvent: e.source_event, at: new Date(e.at).toISOString() })),
  };
}
