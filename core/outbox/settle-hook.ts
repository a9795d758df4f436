import type { SqlRunner } from './outbox-writer';

/** What happened to an outbox row, as a hook sees it. */
export type OutboxSettlement =
  /** The back end applied it (or answered it already had the serial); `answer` is the canonical response. */
  | { status: 'delivered'; answer: unknown }
  /** To be sent again after a backoff; `resent` when a settle query said the last attempt was not applied. */
  | { status: 'pending'; reason: string | null; resent: boolean }
  /** The outcome of the last attempt is not known yet (a timeout, a failed settle query): still being settled. */
  | { status: 'unknown'; reason: string; parked: boolean }
  /** Refused by the back end or given up: an operator decides. */
  | { status: 'dead'; reason: string }
  /** An operator sent a dead or unknown row again. */
  | { status: 'replayed' }
  /** An operator gave up on the row. */
  | { status: 'discarded'; reason: string };

/**
 * One contract for whatever must change with an outbox row's fate (a payment
 * order becomes WRITTEN_OFF when its write-off is delivered): `onSettled` runs
 * on the same transaction as the row's own update, so the two never disagree,
 * whatever node dies when.
 */
export interface OutboxSettleHook {
  /** The canonical operation whose rows this hook follows. */
  readonly operation: string;
  onSettled(tx: SqlRunner, row: { id: string; serial: string; partitionKey: string }, settlement: OutboxSettlement): Promise<void>;
}

export function hooksByOperation(hooks: readonly OutboxSettleHook[]): Map<string, OutboxSettleHook[]> {
  const map = new Map<string, OutboxSettleHook[]>();
  for (const hook of hooks) map.set(hook.operation, [...(map.get(hook.operation) ?? []), hook]);
  return map;
}
