import { MONEY_TAKEN, OrderState, TRANSITIONS } from '../../../core/payments/order-machine';
import type { AlipayTrade, NotifyStream } from './alipay';
import type { BackOffice } from './back-office';
import type { MemoryDb } from './memory-db';

export interface Violation {
  invariant: string;
  message: string;
}

/** What the checker reads: the committed database, the back office's ledger, Alipay's truth. */
export interface CheckedWorld {
  db: MemoryDb;
  backOffice: BackOffice;
  trades: Map<string, AlipayTrade>;
  streams: NotifyStream[];
  /** verdicts the service committed for notifications, by stream */
  applied: Array<{ stream: NotifyStream; kind: string }>;
}

const taken = (s: string): boolean => MONEY_TAKEN.has(s as OrderState);

/**
 * The invariants, checked after every step on committed state only. `checks`
 * counts every predicate evaluated (the figure the spec and the long run print).
 */
export class Checker {
  checks = 0;
  private eventsSeen = 0;
  private readonly lastState = new Map<string, string>();
  private appliedSeen = 0;

  constructor(private readonly w: CheckedWorld) {}

  step(): Violation | null {
    return this.transitions() ?? this.exactlyOnce() ?? this.orders() ?? this.conservation() ?? this.acks() ?? this.verdicts();
  }

  /** After the drain: everything answered, every payment written off exactly once, nothing left in the outbox. */
  quiescent(): Violation | null {
    const { db, backOffice, trades, streams } = this.w;
    for (const s of streams) {
      this.checks++;
      if (!s.acked) return { invariant: 'every-notification-answered', message: `notification #${s.id} (${s.what}) never answered success after ${s.attempts} attempts` };
    }
    for (const t of trades.values()) {
      this.checks++;
      const order = db.orderByTradeNo(t.outTradeNo);
      const applied = backOffice.ledger.get(t.outTradeNo)?.applied ?? 0;
      if (t.paid && t.refundedFen === t.amountFen) {
        if (order?.state !== 'REFUNDED' || applied !== 0) return { invariant: 'refunded-not-posted', message: `${t.outTradeNo} refunded whole but is ${order?.state} with ${applied} write-off(s)` };
        continue;
      }
      if (t.paid && (order?.state !== 'WRITTEN_OFF' || applied !== 1)) {
        return { invariant: 'paid-written-off-once', message: `${t.outTradeNo} paid ${t.amountFen} fen but at quiescence is ${order?.state} with ${applied} write-off(s) in the back office` };
      }
      if (!t.paid && (applied !== 0 || (order?.state !== 'CLOSED' && order?.state !== 'FAILED'))) {
        return { invariant: 'unpaid-closed', message: `${t.outTradeNo} never paid but is ${order?.state} with ${applied} write-off(s)` };
      }
    }
    for (const r of db.outbox) {
      this.checks++;
      if (r.status !== 'delivered' && r.status !== 'discarded') return { invariant: 'outbox-drained', message: `outbox row ${r.id} (${r.serial}) still ${r.status} after ${r.attempts} attempts: ${r.last_error}` };
    }
    return null;
  }

  /** Orders move only along TRANSITIONS, each move recorded, none behind the table's back. */
  private transitions(): Violation | null {
    const { db } = this.w;
    for (; this.eventsSeen < db.events.length; this.eventsSeen++) {
      const e = db.events[this.eventsSeen];
      this.checks++;
      const before = this.lastState.get(e.order_id) ?? 'CREATED';
      const allowed = (TRANSITIONS as Record<string, Record<string, string | undefined>>)[e.from_state]?.[e.event];
      if (e.from_state !== before || allowed !== e.to_state) {
        return { invariant: 'moves-along-transitions', message: `order ${e.order_id}: ${e.from_state} --${e.event}--> ${e.to_state} (was ${before}; the table allows ${allowed ?? 'nothing'})` };
      }
      this.lastState.set(e.order_id, e.to_state);
    }
    for (const o of db.orders.values()) {
      this.checks++;
      const expected = this.lastState.get(o.id) ?? 'CREATED';
      if (o.state !== expected) return { invariant: 'moves-along-transitions', message: `order ${o.out_trade_no} is ${o.state} but its last recorded move left it ${expected}` };
    }
    return null;
  }

  /** Each serial posted at most once, and only for a payment Alipay took, at its amount. */
  private exactlyOnce(): Violation | null {
    const { backOffice, trades, db } = this.w;
    for (const e of backOffice.ledger.values()) {
      this.checks += 2;
      if (e.applied > 1) return { invariant: 'written-off-at-most-once', message: `serial ${e.serial} posted ${e.applied} times (${e.received} requests received)` };
      if (e.applied === 0) continue;
      const t = trades.get(e.serial);
      const order = db.orderByTradeNo(e.serial);
      if (!t?.paid || t.amountFen !== e.amountFen || !order || !taken(order.state)) {
        return { invariant: 'no-write-off-without-payment', message: `serial ${e.serial} posted ${e.amountFen} fen; Alipay ${t?.paid ? `took ${t.amountFen} fen` : 'took nothing'}; the order is ${order?.state ?? 'missing'}` };
      }
      if (t.refundedFen > 0) {
        return { invariant: 'no-write-off-without-payment', message: `serial ${e.serial} posted ${e.amountFen} fen in the back office, but ${t.refundedFen} fen went back to the household (order ${order.state}) and no reversal is queued` };
      }
    }
    return null;
  }

  /** The bus believes money was taken only when it was; a paid order has exactly one write-off queued; WRITTEN_OFF means posted. */
  private orders(): Violation | null {
    const { db, trades, backOffice } = this.w;
    for (const o of db.orders.values()) {
      this.checks += 3;
      const t = trades.get(o.out_trade_no);
      const rows = db.outbox.filter((r) => r.serial === o.out_trade_no).length;
      if (taken(o.state)) {
        if (!t?.paid || t.amountFen !== o.amount_fen) return { invariant: 'no-payment-invented', message: `order ${o.out_trade_no} is ${o.state} but Alipay ${t?.paid ? `took ${t.amountFen} fen, not ${o.amount_fen}` : 'took nothing'}` };
        if (rows !== 1) return { invariant: 'write-off-queued-with-payment', message: `order ${o.out_trade_no} is ${o.state} with ${rows} write-off rows in the outbox` };
      } else if (rows !== 0) {
        return { invariant: 'write-off-queued-with-payment', message: `order ${o.out_trade_no} is ${o.state} (no money) but has ${rows} write-off rows` };
      }
      if (o.state === 'WRITTEN_OFF' && (backOffice.ledger.get(o.out_trade_no)?.applied ?? 0) !== 1) {
        return { invariant: 'written-off-is-posted', message: `order ${o.out_trade_no} is WRITTEN_OFF but the back office has not posted it` };
      }
    }
    return null;
  }

  /** Paid by households = written off + pending write-off + parked + not yet known to the bus (notification in flight). */
  private conservation(): Violation | null {
    const { db, trades, backOffice } = this.w;
    let paid = 0;
    let pending = 0;
    let parked = 0;
    let inFlight = 0;
    for (const t of trades.values()) {
      if (!t.paid) continue;
      paid += t.amountFen - t.refundedFen;
      if ((backOffice.ledger.get(t.outTradeNo)?.applied ?? 0) > 0 || t.refundedFen === t.amountFen) continue;
      const state = db.orderByTradeNo(t.outTradeNo)?.state;
      if (state === 'PAID' || state === 'SUSPECT') pending += t.amountFen;
      else if (state === 'PARKED') parked += t.amountFen;
      else if (state === 'CREATED' || state === 'WAIT_PAY' || state === 'CLOSED' || state === 'FAILED') inFlight += t.amountFen;
      else return { invariant: 'money-conserved', message: `${t.outTradeNo}: ${t.amountFen} fen paid, not posted, and the order is ${state}` };
    }
    this.checks++;
    const writtenOff = backOffice.appliedFen();
    if (paid !== writtenOff + pending + parked + inFlight) {
      return { invariant: 'money-conserved', message: `paid (net of refunds) ${paid} fen != written off ${writtenOff} + pending ${pending} + parked ${parked} + not yet notified ${inFlight}` };
    }
    return null;
  }

  /** `success` reaches Alipay only for what is committed. */
  private acks(): Violation | null {
    const { db, streams } = this.w;
    for (const s of streams) {
      if (!s.acked || !s.legit) continue;
      this.checks++;
      const state = db.orderByTradeNo(s.n.outTradeNo)?.state ?? 'missing';
      const ok =
        s.n.tradeStatus === 'TRADE_SUCCESS' || s.n.tradeStatus === 'TRADE_FINISHED'
          ? taken(state)
          : s.n.tradeStatus === 'TRADE_CLOSED'
            ? state === 'CLOSED' || state === 'FAILED' || taken(state)
            : state !== 'CREATED';
      if (!ok) return { invariant: 'success-only-after-commit', message: `notification #${s.id} (${s.what}) answered success but the order is ${state}` };
    }
    return null;
  }

  /** An anomaly never moves an order; a genuine notification is never refused by the table. */
  private verdicts(): Violation | null {
    const { applied } = this.w;
    for (; this.appliedSeen < applied.length; this.appliedSeen++) {
      const { stream, kind } = applied[this.appliedSeen];
      this.checks++;
      if (!stream.legit && kind !== 'anomaly') return { invariant: 'anomaly-never-applies', message: `notification #${stream.id} (${stream.what}) was applied (${kind})` };
      if (stream.legit && (kind === 'anomaly' || kind === 'forbidden')) return { invariant: 'genuine-notification-accepted', message: `notification #${stream.id} (${stream.what}) was ${kind}` };
    }
    return null;
  }
}
