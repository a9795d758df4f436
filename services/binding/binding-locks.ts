import { SqlRunner } from '../../core/outbox';

/** Advisory-lock classes (pg_advisory_xact_lock(class, hashtext(key))). */
const LOCK_USER = 41201;
const LOCK_ACCOUNT = 41202;

/**
 * One user's bindings (and their link to an app_user) change under this lock,
 * held to the end of the transaction. Taken before any row lock, and before
 * the account's lock, in every transaction that takes several: no deadlock.
 */
export async function lockUserBindings(tx: SqlRunner, alipayUserId: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [LOCK_USER, alipayUserId]);
}

/** One account's bindings (the users-per-account limit), after the user's lock. */
export async function lockAccountBindings(tx: SqlRunner, accountNo: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [LOCK_ACCOUNT, accountNo]);
}
