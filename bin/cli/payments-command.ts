import { randomBytes } from 'crypto';
import { ORDER_STATES } from '../../core/payments/order-machine';
import { adminApiFor } from './admin-api';
import { CliError, UsageError } from './cli-error';
import { ADMIN_OPTIONS, adminUsage, CliCommand, printer } from './command';
import { CommandLine, integerOption, stringOption } from './options';

export const PAYMENTS_USAGE = `Usage: gridbus payments <command> [options]

  list [--state S] [--account NO] [--limit N]     orders, newest first (e.g. --state SUSPECT)
  show <id>                                       an order: its moves, refunds and outbox rows
  refund <id> --amount-fen N --reason TEXT [--request-no ID]
                                                  refund at Alipay (audited); reverses a write-off

Every command talks to a bus with the session of gridbus login (see gridbus login --help), the bus
of the last log-in unless --url URL or GRIDBUS_URL names another; it says which on stderr.
--json prints only the answer, as JSON. What to do about a SUSPECT or PARKED payment:
docs/payments.md "What an operator does".`;

const common = ADMIN_OPTIONS;
const usage = adminUsage('payments');


const ORDER_ID = /^[1-9][0-9]{0,18}$/;
function orderId(line: CommandLine, what: string): string {
  const [id] = line.positionals;
  if (id === undefined) throw new UsageError(`${what} needs the id of a payment order (see gridbus payments list)`);
  if (!ORDER_ID.test(id)) throw new UsageError(`'${id}' is not a payment order id (a positive integer)`);
  return id;
}

/** Integer fen as an operator reads it on a bill and in the marketing system: "329.55 yuan (32955 fen)". */
export function money(fen: number | string | null | undefined): string {
  if (fen === null || fen === undefined) return '-';
  const n = BigInt(fen);
  const abs = n < 0n ? -n : n;
  return `${n < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')} yuan (${n} fen)`;
}

interface Order {
  id: string;
  outTradeNo: string;
  kind: string;
  accountNo: string;
  amountFen: number;
  state: string;
  tradeNo: string | null;
  refundedFen: number;
  createdAt: string;
  expiresAt: string;
  paidAt: string | null;
  userId: string;
  arrearsFen: number;
  billKey: string;
  subject: string;
  lastError: string | null;
  updatedAt: string;
}

interface OrderDetail {
  order: Order;
  events: Array<{ event: string; from_state: string; to_state: string; source: string; detail: unknown; at: string }>;
  refunds: Array<{ out_request_no: string; amount_fen: number; reason: string; operator: string; state: string; reversal: boolean; last_error: string | null; created_at: string }>;
  outbox: Array<{ id: string; operation: string; serial: string; status: string; attempts: number; last_error: string | null; delivered_at: string | null }>;
}

interface RefundAnswer {
  order: Order;
  refund: { outRequestNo: string; amountFen: number; state: string; reversal: boolean; lastError: string | null };
}

const list: CliCommand = {
  name: 'payments list',
  summary: 'payment orders, newest first',
  usage: usage(
    'list [--state S] [--account NO] [--limit N] [--url URL]',
    'Payment orders, newest first: state, account, amount, what was refunded and the last error.\nOperator or auditor role.',
    `  --state S          only orders in state S: ${ORDER_STATES.join(', ')}\n  --account NO       only the orders of this account (10 digits)\n  --limit N          at most N orders, 1-500 (default 50)\n`,
  ),
  options: { ...common, state: { type: 'string' }, account: { type: 'string' }, limit: { type: 'string' } },
  async run(line) {
    const p = printer(line);
    const state = stringOption(line, 'state');
    if (state !== undefined && !(ORDER_STATES as readonly string[]).includes(state)) throw new UsageError(`--state takes one of ${ORDER_STATES.join(', ')} (got '${state}')`);
    const account = stringOption(line, 'account');
    if (account !== undefined && !/^[0-9]{10}$/.test(account)) throw new UsageError(`--account takes an account number of 10 digits (got '${account}')`);
    const limit = integerOption(line, 'limit', 1);
    if (limit !== undefined && limit > 500) throw new UsageError(`--limit takes at most 500 (got ${limit})`);
    const query = new URLSearchParams();
    if (state) query.set('state', state);
    if (account) query.set('accountNo', account);
    if (limit) query.set('limit', String(limit));
    const qs = query.toString();
    const a = await adminApiFor(line).call<{ payments: Order[] }>('GET', `payments${qs ? `?${qs}` : ''}`);
    if (!a.payments.length) p.text('no payment orders');
    for (const o of a.payments) {
      const refunded = o.refundedFen ? `  refunded ${money(o.refundedFen)}` : '';
      p.text(`${o.id.padStart(8)}  ${o.state.padEnd(11)} ${o.kind.padEnd(8)} account ${o.accountNo}  ${money(o.amountFen)}${refunded}  ${o.outTradeNo}  created ${o.createdAt}`);
      if (o.lastError) p.text(`          last error: ${o.lastError}`);
    }
    p.done(a);
    return 0;
  },
};

/** What the operator can do about the order now (docs/payments.md "What an operator does"). */
function nextStep(d: OrderDetail): string | null {
  const { order } = d;
  const writeOff = d.outbox.find((r) => r.operation === 'marketing.writeOff');
  const row = writeOff ? `outbox row ${writeOff.id} (${writeOff.status})` : 'its outbox row';
  const left = order.amountFen - order.refundedFen;
  switch (order.state) {
    case 'SUSPECT':
      return writeOff?.status === 'unknown' || writeOff?.status === 'dead'
        ? `the write-off's outcome is unknown and ${row} stopped asking: check serial ${order.outTradeNo} in the marketing system, then gridbus outbox replay ${writeOff.id} (it asks marketing.queryPayment first: never posted twice)`
        : `the write-off's outcome is unknown: ${row} settles it with marketing.queryPayment on serial ${order.outTradeNo}; nothing to do while it asks`;
    case 'PARKED':
      return `the marketing system refused the write-off (${order.lastError ?? 'see the last error'}): refund it whole (gridbus payments refund ${order.id} --amount-fen ${left} --reason TEXT), or fix the account there and gridbus outbox replay ${writeOff?.id ?? '<row>'}`;
    case 'PAID':
      return `paid, the write-off is on its way (${row})`;
    default:
      return null;
  }
}

const show: CliCommand = {
  name: 'payments show',
  summary: 'an order with its moves, refunds and outbox rows',
  usage: usage(
    'show <id> [--url URL]',
    'One payment order: amounts, Alipay trade, its moves along the state machine (when, from what, by what),\nits refunds and the outbox rows carrying its write-off and reversals, and what to do next when it is\nSUSPECT or PARKED. Operator or auditor role.',
  ),
  options: common,
  maxPositionals: 1,
  async run(line) {
    const p = printer(line);
    const id = orderId(line, 'show');
    const d = await adminApiFor(line).call<OrderDetail>('GET', `payments/${id}`);
    const o = d.order;
    p.text(`order ${o.id}  ${o.state}  ${o.kind}  account ${o.accountNo}  user ${o.userId}`);
    p.text(`  amount        ${money(o.amountFen)}   (arrears when ordered ${money(o.arrearsFen)})`);
    p.text(`  refunded      ${money(o.refundedFen)}`);
    p.text(`  out_trade_no  ${o.outTradeNo}   (also the write-off serial)`);
    p.text(`  trade_no      ${o.tradeNo ?? '-'}`);
    p.text(`  bill          ${o.billKey}   ${o.subject}`);
    p.text(`  created ${o.createdAt}  expires ${o.expiresAt}  paid ${o.paidAt ?? '-'}  updated ${o.updatedAt}`);
    if (o.lastError) p.text(`  last error    ${o.lastError}`);
    p.text('moves:');
    if (!d.events.length) p.text('  none');
    for (const e of d.events) {
      const detail = e.detail && Object.keys(e.detail as object).length ? `  ${JSON.stringify(e.detail)}` : '';
      // the creation is kept as a move CREATED -> CREATED: shown as where the timeline starts
      const from = e.event === 'CREATED' ? '(new)' : e.from_state;
      p.text(`  ${new Date(e.at).toISOString()}  ${from.padEnd(11)} -> ${e.to_state.padEnd(11)} ${e.event.padEnd(16)} by ${e.source}${detail}`);
    }
    p.text('refunds:');
    if (!d.refunds.length) p.text('  none');
    for (const r of d.refunds) {
      p.text(`  ${r.out_request_no}  ${money(r.amount_fen)}  ${r.state}  ${r.reversal ? 'with reversal' : 'no reversal'}  by ${r.operator} at ${new Date(r.created_at).toISOString()}: ${r.reason}`);
      if (r.last_error) p.text(`      last error: ${r.last_error}`);
    }
    p.text('outbox:');
    if (!d.outbox.length) p.text('  none');
    for (const r of d.outbox) {
      const delivered = r.delivered_at ? `  delivered ${new Date(r.delivered_at).toISOString()}` : '';
      p.text(`  row ${r.id}  ${r.operation}  serial ${r.serial}  ${r.status}  ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}${delivered}`);
      if (r.last_error) p.text(`      last error: ${r.last_error}`);
    }
    const next = nextStep(d);
    if (next) p.text(`next: ${next}`);
    p.done(d);
    return 0;
  },
};

/** Alipay's out_request_no is built from it: the bus takes letters, digits, _ and -, at most 40. */
const REQUEST_NO = /^[A-Za-z0-9_-]{1,40}$/;
const newRequestNo = () => `cli-${new Date().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}-${randomBytes(4).toString('hex')}`;

function reversal({ order, refund: r }: RefundAnswer): string {
  if (!r.reversal) return 'none (the payment was never written off)';
  const what = `marketing.reverseWriteOff, serial ${r.outRequestNo}, of write-off ${order.outTradeNo}`;
  return r.state === 'REFUNDED' ? `queued: ${what} (gridbus payments show ${order.id})` : `${what} is queued once Alipay has refunded`;
}

const refund: CliCommand = {
  name: 'payments refund',
  summary: 'refund a written-off or parked payment, with a reason',
  usage: usage(
    'refund <id> --amount-fen N --reason TEXT [--request-no ID] [--url URL]',
    `Refunds N fen of a WRITTEN_OFF or PARKED order at Alipay (operator role, audited with the reason).
A written-off payment's refund queues its reversal in the marketing system; a parked one (never
posted) is refunded whole. The request number is the refund's identity: the same --request-no again
is the same refund and never refunds twice, so after a timeout repeat the command with it. Without
--request-no one is generated and printed (on stderr) before the bus is asked.`,
    '  --amount-fen N     how much, in fen (32955 is 329.55 yuan)\n  --reason TEXT      why (at least 3 characters; kept and audited)\n  --request-no ID    the refund\'s request number (letters, digits, _ and -, at most 40)\n',
  ),
  options: { ...common, 'amount-fen': { type: 'string' }, reason: { type: 'string' }, 'request-no': { type: 'string' } },
  maxPositionals: 1,
  async run(line) {
    const p = printer(line);
    const id = orderId(line, 'refund');
    const amountFen = integerOption(line, 'amount-fen', 1);
    if (amountFen === undefined) throw new UsageError('refund needs --amount-fen N (the amount in fen)');
    const reason = stringOption(line, 'reason');
    if (!reason || reason.trim().length < 3) throw new UsageError('refund needs --reason TEXT (at least 3 characters)');
    const given = stringOption(line, 'request-no');
    if (given !== undefined && !REQUEST_NO.test(given)) throw new UsageError(`--request-no takes letters, digits, _ and -, at most 40 (got '${given}')`);
    const requestNo = given ?? newRequestNo();
    const api = adminApiFor(line);
    const repeat = `gridbus payments refund ${id} --amount-fen ${amountFen} --reason ... --request-no ${requestNo}`;
    // printed before asking: after a timeout the operator needs it to repeat the same refund
    if (given === undefined) process.stderr.write(`request no: ${requestNo} (repeating with --request-no ${requestNo} never refunds twice)\n`);
    let a: RefundAnswer;
    try {
      a = await api.call<RefundAnswer>('POST', `payments/${id}/refunds`, { amountFen, reason: reason.trim(), requestNo });
    } catch (err) {
      // a refusal (4xx, or Alipay's PAYMENT_REFUSED) is final; no answer or a timeout may have refunded: the same request settles it
      if (err instanceof CliError && err.exitCode === 1 && !/^(4\d\d |\d{3} PAYMENT_REFUSED:)/.test(err.message)) throw new CliError(`${err.message}\nthe refund may have been made: repeat it with the same request no (${repeat}); it never refunds twice`, err.exitCode);
      throw err;
    }
    const r = a.refund;
    p.text(`refund ${r.outRequestNo} of order ${a.order.id}: ${money(r.amountFen)}  ${r.state}`);
    p.text(`  request no    ${requestNo}   (the same --request-no again is this refund: never twice)`);
    p.text(`  reversal      ${reversal(a)}`);
    p.text(`  order         ${a.order.state}, refunded ${money(a.order.refundedFen)} of ${money(a.order.amountFen)}`);
    if (r.lastError) p.text(`  last error    ${r.lastError}`);
    if (r.state === 'REQUESTED') p.text(`  Alipay has not confirmed it yet: repeat ${repeat}`);
    p.done({ ...a, requestNo });
    return r.state === 'REFUNDED' ? 0 : 1;
  },
};

/** `gridbus payments <command>`. */
export const PAYMENTS_COMMANDS: CliCommand[] = [list, show, refund];
