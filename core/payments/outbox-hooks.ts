import type { OutboxSettleHook, OutboxSettlement } from '../outbox/settle-hook';
import type { SqlRunner } from '../outbox/outbox-writer';
import type { OrderEvent } from './order-machine';
import { lockOrder, moveOrder } from './order-store';
import { WRITE_OFF_OPERATION } from './write-off';

/** How a write-off row's fate moves its order; null: the order does not move. */
export function writeOffEvent(settlement: OutboxSettlement, state: string): OrderEvent | null {
  switch (settlement.status) {
    case 'delivered':
      return 'WRITEOFF_DONE';
    case 'unknown':
      return 'WRITEOFF_UNKNOWN';
    case 'dead':
      return 'WRITEOFF_PARKED';
    case 'replayed':
      return 'WRITEOFF_RETRIED';
    case 'pending':
      // a suspect write-off the settle query found not applied is being sent again
      return settlement.resent && state === 'SUSPECT' ? 'WRITEOFF_RETRIED' : null;
    default:
      return null;
  }
}

/** A payment order follows its write-off: WRITTEN_OFF, SUSPECT or PARKED in the outbox row's own transaction. */
export const writeOffHook: OutboxSettleHook = {
  operation: WRITE_OFF_OPERATION,
  async onSettled(tx: SqlRunner, row, settlement) {
    const order = await lockOrder(tx, { outTradeNo: row.serial });
    if (!order) return; // a write-off queued by hand, not by an order
    const event = writeOffEvent(settlement, order.state);
    if (!event) return;
    const reason = 'reason' in settlement ? settlement.reason : null;
    const answer = settlement.status === 'delivered' ? (settlement.answer as Record<string, unknown> | null) : null;
    await moveOrder(tx, order, event, 'outbox', {
      lastError: event === 'WRITEOFF_DONE' || event === 'WRITEOFF_RETRIED' ? null : reason,
      detail: { outboxRow: row.id, ...(answer ? { outcome: answer.outcome ?? null, writeOffNo: answer.writeOffNo ?? null } : {}), ...(reason ? { reason } : {}) },
    });
  },
};

/** Every hook the money path adds to the outbox. */
export const PAYMENT_OUTBOX_HOOKS: readonly OutboxSettleHook[] = [writeOffHook];
