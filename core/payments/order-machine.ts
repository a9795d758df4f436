/**
 * The payment order's states and the only moves between them. One table, read
 * by the payment service, the outbox hooks, the jobs and the simulation alike:
 * a move not in it is refused (a command) or kept and alarmed (a notification),
 * never applied. docs/payments.md prints the same table.
 */
export const ORDER_STATES = ['CREATED', 'WAIT_PAY', 'PAID', 'SUSPECT', 'WRITTEN_OFF', 'PARKED', 'CLOSED', 'FAILED', 'REFUNDED'] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export const ORDER_EVENTS = [
  /** alipay.trade.create answered a trade_no. */
  'TRADE_CREATED',
  /** alipay.trade.create refused the order for good (nothing can be paid). */
  'CREATE_REFUSED',
  /** Alipay took the money: TRADE_SUCCESS / TRADE_FINISHED (notification, query or agreement pay). */
  'PAID',
  /** Alipay closed the trade unpaid: TRADE_CLOSED, our close after the timeout, or a query finding no trade. */
  'CLOSED',
  /** The marketing system posted the write-off (or answered it already had the serial). */
  'WRITEOFF_DONE',
  /** A write-off call's outcome is unknown (timeout, lost reply): settled by marketing.queryPayment. */
  'WRITEOFF_UNKNOWN',
  /** The marketing system refused the write-off, or delivery gave up: an operator decides. */
  'WRITEOFF_PARKED',
  /** An operator sends a parked write-off again (outbox replay). */
  'WRITEOFF_RETRIED',
  /** The whole paid amount has been refunded by Alipay. */
  'REFUNDED_FULL',
] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

/** Allowed moves: state → event → next state. */
export const TRANSITIONS: Readonly<Record<OrderState, Partial<Record<OrderEvent, OrderState>>>> = {
  CREATED: { TRADE_CREATED: 'WAIT_PAY', CREATE_REFUSED: 'FAILED', PAID: 'PAID', CLOSED: 'CLOSED' },
  WAIT_PAY: { PAID: 'PAID', CLOSED: 'CLOSED' },
  PAID: { WRITEOFF_DONE: 'WRITTEN_OFF', WRITEOFF_UNKNOWN: 'SUSPECT', WRITEOFF_PARKED: 'PARKED' },
  SUSPECT: { WRITEOFF_DONE: 'WRITTEN_OFF', WRITEOFF_PARKED: 'PARKED', WRITEOFF_RETRIED: 'PAID' },
  WRITTEN_OFF: { REFUNDED_FULL: 'REFUNDED' },
  PARKED: { WRITEOFF_DONE: 'WRITTEN_OFF', WRITEOFF_RETRIED: 'PAID', REFUNDED_FULL: 'REFUNDED' },
  // money taken after our close or a refusal (a race with the buyer, a withholding answer lost): it must still be written off
  CLOSED: { PAID: 'PAID' },
  FAILED: { PAID: 'PAID' },
  REFUNDED: {},
};

/**
 * Events that change nothing in a state and are answered as done: repeats and
 * late arrivals (TRADE_FINISHED after TRADE_SUCCESS, a CLOSED after payment,
 * which Alipay sends after a full refund, a second UNKNOWN while suspect).
 */
export const ABSORBED: Readonly<Record<OrderState, readonly OrderEvent[]>> = {
  CREATED: [],
  WAIT_PAY: ['TRADE_CREATED'],
  PAID: ['PAID', 'CLOSED', 'TRADE_CREATED'],
  SUSPECT: ['PAID', 'CLOSED', 'TRADE_CREATED', 'WRITEOFF_UNKNOWN'],
  WRITTEN_OFF: ['PAID', 'CLOSED', 'TRADE_CREATED', 'WRITEOFF_DONE'],
  PARKED: ['PAID', 'CLOSED', 'TRADE_CREATED', 'WRITEOFF_PARKED'],
  CLOSED: ['CLOSED', 'TRADE_CREATED'],
  FAILED: ['CREATE_REFUSED', 'CLOSED'],
  REFUNDED: ['PAID', 'CLOSED', 'TRADE_CREATED', 'REFUNDED_FULL', 'WRITEOFF_DONE'],
};

/** States in which Alipay holds the household's money for this order. */
export const MONEY_TAKEN: ReadonlySet<OrderState> = new Set(['PAID', 'SUSPECT', 'WRITTEN_OFF', 'PARKED', 'REFUNDED']);
/** States no event moves out of. */
export const FINAL: ReadonlySet<OrderState> = new Set(['REFUNDED']);
/** States an order can still be paid in (an open order for its bill). */
export const OPEN_FOR_PAYMENT: ReadonlySet<OrderState> = new Set(['CREATED', 'WAIT_PAY']);

export type Transition =
  | { kind: 'move'; from: OrderState; to: OrderState; event: OrderEvent; /** entering PAID: the write-off must be queued in the same transaction */ writeOff: boolean }
  | { kind: 'absorbed'; state: OrderState; event: OrderEvent }
  | { kind: 'forbidden'; state: OrderState; event: OrderEvent };

/** What an event does to an order in a state; pure. */
export function transition(state: OrderState, event: OrderEvent): Transition {
  const to = TRANSITIONS[state][event];
  if (to) return { kind: 'move', from: state, to, event, writeOff: to === 'PAID' && !MONEY_TAKEN.has(state) };
  if (ABSORBED[state].includes(event)) return { kind: 'absorbed', state, event };
  return { kind: 'forbidden', state, event };
}

export function isOrderState(value: unknown): value is OrderState {
  return typeof value === 'string' && (ORDER_STATES as readonly string[]).includes(value);
}
