import { PiiCipher } from '../../../core/crypto';
import type { TradeNotification } from '../../../core/payments/notification-check';
import { OPEN_FOR_PAYMENT, OrderState } from '../../../core/payments/order-machine';
import { PAYMENT_OUTBOX_HOOKS } from '../../../core/payments/outbox-hooks';
import { WRITE_OFF_OPERATION } from '../../../core/payments/write-off';
import { DeliveryWorker, OperationCaller, OutboxClaims, WorkerSettings } from '../../../services/outbox/delivery-worker';
import { AlipayTrade, FOREIGN_APP, MERCHANT, NotifyStream } from './alipay';
import { BackOffice } from './back-office';
import { FaultRates, SimConfig } from './config';
import { Checker, Violation } from './invariants';
import { MemoryDb, SIM_EPOCH_MS } from './memory-db';
import { OutboxTable } from './memory-outbox';
import { applyEvent, applyNotification, ApplyOutcome, refundParkedWhole } from './payment-service';
import { Prng, streamSeed } from './prng';
import { Scheduler } from './scheduler';

const QUERY_OPERATION = 'marketing.queryPayment';

export const WORKER_SETTINGS: WorkerSettings = { maxAttempts: 5, pollMs: 1000, backoffBaseMs: 500, backoffMaxMs: 8000, callTimeoutMs: 2000, batch: 5 };
/** Alipay's retry intervals, compressed (the real schedule is 4m, 10m, 10m, 1h, 2h, 6h, 15h). */
const ALIPAY_RETRY_MS = [2000, 4000, 8000, 15000, 30000];
const CLOSE_JOB_MS = 5000;
const QUERY_JOB_MS = 7000;
const OPERATOR_MS = 20000;

export interface InjectedFault {
  ordinal: number;
  kind: keyof FaultRates;
  at: number;
}

export interface RunStats {
  steps: number;
  checks: number;
  simMs: number;
  paid: number;
  paidFen: number;
  notifications: number;
  deliveries: number;
  anomalies: number;
  crashes: number;
  timeouts: number;
  lostClaims: number;
  suspects: number;
  parked: number;
  replays: number;
  refunds: number;
  /** money taken after our close or a refusal (CLOSED/FAILED --PAID-->) */
  lateMoney: number;
  backOfficeRequests: number;
}

export interface RunResult {
  seed: number;
  config: SimConfig;
  violation: (Violation & { step: number; time: number }) | null;
  stats: RunStats;
  trace: string[];
  faults: InjectedFault[];
}

interface SimNode {
  index: number;
  alive: boolean;
  epoch: number;
  worker: DeliveryWorker | null;
}

type CallError = Error & { type?: string; retryable?: boolean };
const callError = (name: string, type: string, message: string, retryable: boolean): CallError => Object.assign(new Error(message), { name, type, retryable });

/**
 * One simulated world: households paying orders at Alipay, Alipay notifying
 * (late, twice, out of order, forged), service nodes running the real
 * payment glue and the real DeliveryWorker over a memory database, a
 * marketing back office, a network and a clock, all driven by one seed.
 * Every step is one event; after each, the real code's promises run to rest
 * (only in-memory promises exist) and the invariants are checked.
 */
export class World {
  readonly sched = new Scheduler();
  readonly db = new MemoryDb(() => this.sched.now);
  readonly backOffice: BackOffice;
  readonly trades = new Map<string, AlipayTrade>();
  readonly streams: NotifyStream[] = [];
  readonly applied: Array<{ stream: NotifyStream; kind: string }> = [];
  readonly trace: string[] = [];
  readonly faults: InjectedFault[] = [];
  private readonly table: OutboxTable;
  private readonly checker: Checker;
  private readonly cipher: PiiCipher;
  private readonly nodes: SimNode[] = [];
  private readonly work: Prng;
  private readonly env: Prng;
  private readonly chance: Prng;
  readonly jitter: Prng;
  private readonly mask: Set<number>;
  private faultOrdinal = 0;
  private draining = false;
  private engineError: Error | null = null;
  private readonly stats: RunStats = { steps: 0, checks: 0, simMs: 0, paid: 0, paidFen: 0, notifications: 0, deliveries: 0, anomalies: 0, crashes: 0, timeouts: 0, lostClaims: 0, suspects: 0, parked: 0, replays: 0, refunds: 0, lateMoney: 0, backOfficeRequests: 0 };

  constructor(
    readonly seed: number,
    readonly config: SimConfig,
  ) {
    this.work = new Prng(streamSeed(seed, 'workload'));
    this.env = new Prng(streamSeed(seed, 'environment'));
    this.chance = new Prng(streamSeed(seed, 'faults'));
    this.jitter = new Prng(streamSeed(seed, 'jitter'));
    this.mask = new Set(config.mask);
    this.backOffice = new BackOffice(config.bug !== 'back-office-no-dedupe');
    this.table = new OutboxTable(this.db, PAYMENT_OUTBOX_HOOKS, () => this.sched.now);
    this.checker = new Checker(this);
    const key = Array.from({ length: 64 }, () => '0123456789abcdef'[this.env.int(0, 15)]).join('');
    this.cipher = new PiiCipher(key, 'sim');
  }

  async run(): Promise<RunResult> {
    const { config, sched } = this;
    for (let i = 0; i < config.nodes; i++) {
      this.nodes.push({ index: i, alive: false, epoch: 0, worker: null });
      this.restart(i);
    }
    this.planWorkload();
    sched.at(CLOSE_JOB_MS, 'close job', () => this.closeJob());
    sched.at(QUERY_JOB_MS, 'query job', () => this.queryJob());
    sched.at(config.workMs, 'faults stop: drain', () => this.startDrain());
    if (config.operatorRefundsParked) sched.at(OPERATOR_MS, 'operator looks at parked write-offs', () => this.operator());
    let violation: RunResult['violation'] = null;
    while (!violation) {
      const ev = sched.pop();
      if (!ev) {
        violation = this.at({ invariant: 'liveness', message: 'nothing left to happen before quiescence' });
        break;
      }
      const node = ev.node === null ? null : this.nodes[ev.node];
      if (ev.cancelled || (node && (!node.alive || node.epoch !== ev.epoch))) continue; // the node died: its pending work is gone
      this.stats.steps++;
      this.trace.push(`${pad(ev.time)} ${ev.label}`);
      ev.run();
      await rest();
      if (this.engineError) {
        violation = this.at({ invariant: 'engine', message: this.engineError.message });
        break;
      }
      const broken = this.checker.step();
      if (broken) {
        violation = this.at(broken);
        break;
      }
      this.maybeCrash();
      if (this.draining && this.quiet()) {
        const q = this.checker.quiescent();
        if (q) violation = this.at(q);
        break;
      }
      if (sched.now > config.workMs + config.drainLimitMs || this.stats.steps >= config.maxSteps) {
        violation = this.at(this.checker.quiescent() ?? { invariant: 'liveness', message: 'not quiescent at the end of the drain' });
        violation.invariant = `liveness/${violation.invariant}`;
        break;
      }
    }
    this.stats.checks = this.checker.checks;
    this.stats.simMs = sched.now;
    return { seed: this.seed, config, violation, stats: this.stats, trace: this.trace, faults: this.faults };
  }

  private at(v: Violation): Violation & { step: number; time: number } {
    return { ...v, step: this.stats.steps, time: this.sched.now };
  }

  private note(text: string): void {
    this.trace.push(`${pad(this.sched.now)}   ${text}`);
  }

  /** Draws the fault's chance always (so the streams stay aligned); a masked ordinal does not happen. */
  private fault(kind: keyof FaultRates): boolean {
    const hit = this.chance.next() < (this.draining ? 0 : this.config.faults[kind]);
    if (!hit) return false;
    const ordinal = this.faultOrdinal++;
    if (this.mask.has(ordinal)) return false;
    this.faults.push({ ordinal, kind, at: this.sched.now });
    this.note(`FAULT #${ordinal} ${kind}`);
    return true;
  }

  private guard(p: Promise<unknown>): void {
    p.catch((err: Error) => {
      this.engineError = this.engineError ?? err;
    });
  }

  private netMs(): number {
    return this.fault('netDelay') ? this.env.int(1500, 9000) : this.env.int(1, 30);
  }

  // ---- service nodes -------------------------------------------------------

  private restart(i: number): void {
    const node = this.nodes[i];
    node.alive = true;
    node.epoch += 1;
    const epoch = node.epoch;
    node.worker = new DeliveryWorker(this.caller(i, epoch), this.claims(i, epoch), this.cipher, FACTS, WORKER_SETTINGS, SILENT, (operation, outcome) => {
      if (outcome === 'lost-claim') this.stats.lostClaims++;
      this.note(`n${i} ${operation} -> ${outcome}`);
    });
    this.sched.after(0, `n${i} up (epoch ${epoch}): worker polls`, () => this.poll(i, epoch), i, epoch);
  }

  private maybeCrash(): void {
    const alive = this.nodes.filter((n) => n.alive);
    if (!alive.length || !this.fault('crash')) return;
    const node = alive[this.env.int(0, alive.length - 1)];
    node.alive = false;
    node.worker = null;
    this.stats.crashes++;
    this.note(`n${node.index} CRASHED (SIGKILL): in-flight calls, claims and uncommitted work lost`);
    this.sched.after(this.env.int(300, 12000), `n${node.index} restarts`, () => {
      if (!node.alive) this.restart(node.index);
    });
  }

  private poll(i: number, epoch: number): void {
    const worker = this.nodes[i].worker!;
    this.guard(
      worker.runRound().then((claimed) => {
        this.sched.after(claimed ? 0 : WORKER_SETTINGS.pollMs, `n${i} worker round`, () => this.poll(i, epoch), i, epoch);
      }),
    );
  }

  /** The outbox table as node i reaches it: each statement a round trip that commits at its step and answers at the next. */
  private claims(i: number, epoch: number): OutboxClaims {
    const op = <T>(label: string, fn: () => T | Promise<T>): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        const ms = this.fault('dbStall') ? this.env.int(6000, 15000) : this.env.int(1, 4);
        this.sched.after(ms, `n${i} db ${label}`, () => {
          this.guard(
            Promise.resolve(fn()).then((value) => {
              this.sched.after(0, `n${i} db answer ${label}`, () => resolve(value), i, epoch);
            }, reject),
          );
        }, i, epoch);
      });
    return {
      claim: (limit, leaseMs) => op('claim', () => {
        const rows = this.table.claim(limit, leaseMs);
        if (rows.length) this.note(`claimed ${rows.map((r) => `${r.serial}#${r.attempts}${r.outcomeUnknown ? '?' : ''}`).join(' ')}`);
        return rows;
      }),
      settle: (row, status, error, retryInMs, detail) => op(`settle ${row.serial}#${row.attempts} ${status}`, () => this.table.settle(row, status, error, retryInMs, detail)),
      holdUnknown: (row, error, retryInMs) => op(`hold ${row.serial}#${row.attempts} unknown`, () => this.table.holdUnknown(row, error, retryInMs)),
    } as OutboxClaims;
  }

  /** The broker as node i's worker uses it: a request over the network to the back office, a reply back, a timeout. */
  private caller(i: number, epoch: number): OperationCaller {
    return {
      call: (operation, params, opts) =>
        new Promise((resolve, reject) => {
          const serial = String(params.serial);
          let done = false;
          const finish = (settle: () => void): boolean => {
            if (done) return false;
            done = true;
            timer.cancelled = true;
            settle();
            return true;
          };
          const timer = this.sched.after(opts.timeout, `n${i} ${operation} ${serial} times out`, () => {
            if (finish(() => reject(callError('RequestTimeoutError', 'REQUEST_TIMEOUT', `Request is timed out when call '${operation}' action`, true)))) this.stats.timeouts++;
          }, i, epoch);
          if (this.fault('dropRequest')) return this.note(`request ${operation} ${serial} lost`);
          this.sched.after(this.netMs(), `back office receives ${operation} ${serial}`, () =>
            this.backOfficeAnswer(operation, params, (answer) => {
              if (this.fault('dropReply')) return this.note(`reply to ${operation} ${serial} lost`);
              this.sched.after(this.netMs(), `n${i} gets the answer to ${operation} ${serial}`, () => {
                finish(() => ('error' in answer ? reject(answer.error) : resolve(answer.value)));
              }, i, epoch);
            }),
          );
        }),
    };
  }

  private backOfficeAnswer(operation: string, params: Record<string, unknown>, reply: (a: { value: unknown } | { error: CallError }) => void): void {
    this.stats.backOfficeRequests++;
    if (this.fault('backOfficeDown')) return reply({ error: callError('MoleculerRetryableError', 'BACKEND_UNAVAILABLE', 'SOAP Server fault: service unavailable', true) });
    const ms = this.fault('slowBackOffice') ? this.env.int(1500, 8000) : this.env.int(5, 60);
    this.sched.after(ms, `back office ${operation === WRITE_OFF_OPERATION ? 'posts' : 'looks up'} ${String(params.serial)}`, () => {
      if (operation === WRITE_OFF_OPERATION) {
        const answer = this.backOffice.writeOff({ serial: String(params.serial), accountNo: String(params.accountNo), amountFen: Number(params.amountFen) });
        this.note(`back office: ${answer.outcome}`);
        return reply({ value: answer });
      }
      if (operation === QUERY_OPERATION) return reply({ value: this.backOffice.queryPayment(String(params.serial)) });
      reply({ error: callError('MoleculerClientError', 'NOT_FOUND', `unknown operation ${operation}`, false) });
    });
  }

  // ---- households and Alipay ----------------------------------------------

  private planWorkload(): void {
    const { work, config, sched } = this;
    const accounts = Math.max(1, Math.ceil(config.orders / 2));
    for (let k = 0; k < config.orders; k++) {
      const outTradeNo = `T${k + 1}`;
      const accountNo = `33000000${String(work.int(1, accounts)).padStart(2, '0')}`;
      const amountFen = work.chance(0.2) ? 32955 : work.int(1, 50000);
      const createdAt = work.int(0, 10000);
      const expiresAt = createdAt + work.int(15000, 35000);
      const confirmed = work.chance(0.8); // trade.create's answer reached us (else the order stays CREATED)
      const refused = !confirmed && work.chance(0.3); // ... or a refusal came back although the buyer can pay (a lost or wrong answer)
      const pays = work.chance(0.75);
      const payAt = createdAt + work.int(300, expiresAt - createdAt + 4000);
      const racesClose = work.chance(0.3); // a payment completing as we close the trade
      const finished = work.chance(0.4);
      const closedLate = work.chance(0.15);
      const waitNotice = work.chance(0.2);
      const delays = [work.int(0, 3000), work.int(0, 6000), work.int(0, 10000), work.int(0, 1000)];
      const trade: AlipayTrade = { outTradeNo, tradeNo: `2026120422001${String(k + 1).padStart(4, '0')}`, amountFen, paid: false, paidAt: null, closed: false, refundedFen: 0 };
      sched.at(createdAt, `household opens order ${outTradeNo} (${amountFen} fen, account ${accountNo})`, () => {
        const now = this.db.now();
        this.db.insertOrder({
          id: String(k + 1), out_trade_no: outTradeNo, kind: 'PAY', user_id: `u${k}`, account_no: accountNo, amount_fen: amountFen, arrears_fen: amountFen,
          bill_key: `${accountNo}:202611`, subject: 'electricity', state: 'CREATED', trade_no: null, paid_at: null, refunded_fen: 0,
          expires_at: new Date(SIM_EPOCH_MS + expiresAt), last_error: null, created_at: now, updated_at: now,
        });
        this.trades.set(outTradeNo, trade);
      });
      if (confirmed) sched.at(createdAt + 1, `trade.create answers ${outTradeNo}`, () => this.guard(applyEvent(this.db, this.cipher, outTradeNo, 'TRADE_CREATED', 'create', { tradeNo: trade.tradeNo })));
      if (refused) sched.at(createdAt + 1, `trade.create refuses ${outTradeNo}`, () => this.guard(applyEvent(this.db, this.cipher, outTradeNo, 'CREATE_REFUSED', 'create').then((o) => this.noteOutcome(outTradeNo, o))));
      if (waitNotice && !refused) this.planStream(createdAt + 2 + delays[3], trade, 'WAIT_BUYER_PAY', trade.amountFen, MERCHANT.appId, true, 'WAIT_BUYER_PAY');
      if (!pays) continue;
      sched.at(payAt, `household pays ${outTradeNo} at Alipay`, () => {
        if (trade.closed && !racesClose) return this.note(`Alipay refuses: ${outTradeNo} is closed`);
        trade.paid = true;
        trade.paidAt = this.db.now();
        this.stats.paid++;
        this.stats.paidFen += amountFen;
        this.addStream(payAt + delays[0], trade, 'TRADE_SUCCESS', amountFen, MERCHANT.appId, true, 'TRADE_SUCCESS');
        if (finished) this.addStream(payAt + delays[1], trade, 'TRADE_FINISHED', amountFen, MERCHANT.appId, true, 'TRADE_FINISHED');
        if (closedLate) this.addStream(payAt + delays[2], trade, 'TRADE_CLOSED', amountFen, MERCHANT.appId, true, 'TRADE_CLOSED after payment');
      });
    }
    for (let a = 0; a < config.anomalies; a++) {
      const kind = work.int(0, 2);
      const k = work.int(1, config.orders);
      const at = work.int(1000, config.workMs - 1000);
      const off = work.chance(0.5) ? work.int(1, 100) : null;
      sched.at(at, `a signed anomaly is prepared`, () => {
        const target = this.trades.get(`T${k}`);
        if (kind === 0 && target) {
          // signed, so only the amount gives it away: never the order's own amount (a 1-fen order exists)
          const forged = off !== null ? target.amountFen + off : target.amountFen === 1 ? 2 : 1;
          this.addStream(this.sched.now, target, 'TRADE_SUCCESS', forged, MERCHANT.appId, false, `forged amount ${forged} fen for ${target.outTradeNo}`);
        } else if (kind === 1 || !target) {
          const ghost: AlipayTrade = { outTradeNo: `X${a + 1}`, tradeNo: `2026120422009${a}`, amountFen: 32955, paid: false, paidAt: null, closed: false, refundedFen: 0 };
          this.addStream(this.sched.now, ghost, 'TRADE_SUCCESS', 32955, MERCHANT.appId, false, `unknown order ${ghost.outTradeNo}`);
        } else {
          this.addStream(this.sched.now, target, 'TRADE_SUCCESS', target.amountFen, FOREIGN_APP, false, `foreign app for ${target.outTradeNo}`);
        }
      });
    }
  }

  private planStream(at: number, trade: AlipayTrade, status: TradeNotification['tradeStatus'], totalFen: number, appId: string, legit: boolean, what: string): void {
    this.sched.at(at, `Alipay prepares ${what} for ${trade.outTradeNo}`, () => this.addStream(at, trade, status, totalFen, appId, legit, what));
  }

  private addStream(at: number, trade: AlipayTrade, status: TradeNotification['tradeStatus'], totalFen: number, appId: string, legit: boolean, what: string): void {
    const s: NotifyStream = {
      id: this.streams.length + 1,
      n: { outTradeNo: trade.outTradeNo, tradeNo: trade.tradeNo, tradeStatus: status, totalFen, appId, sellerId: MERCHANT.sellerId, paidAt: status === 'TRADE_SUCCESS' || status === 'TRADE_FINISHED' ? trade.paidAt ?? this.db.now() : null },
      legit,
      what,
      attempts: 0,
      acked: false,
    };
    this.streams.push(s);
    this.stats.notifications++;
    if (!legit) this.stats.anomalies++;
    this.sched.at(at, `Alipay notifies #${s.id} ${what}`, () => this.notify(s));
  }

  /** One delivery attempt of a notification; Alipay tries again later unless it got `success`. */
  private notify(s: NotifyStream): void {
    if (s.acked) return;
    s.attempts++;
    this.stats.deliveries++;
    this.sched.after(ALIPAY_RETRY_MS[Math.min(s.attempts - 1, ALIPAY_RETRY_MS.length - 1)], `Alipay retries #${s.id}?`, () => {
      if (!s.acked) this.notify(s);
    });
    if (this.fault('dupNotify')) this.sched.after(this.env.int(0, 3000), `Alipay sends #${s.id} again (duplicate)`, () => this.send(s));
    this.send(s);
  }

  private send(s: NotifyStream): void {
    const alive = this.nodes.filter((n) => n.alive);
    if (!alive.length) return this.note(`notification #${s.id}: connection refused (no node up)`);
    const node = alive[this.env.int(0, alive.length - 1)];
    if (this.fault('dropRequest')) return this.note(`notification #${s.id} lost on the way`);
    const i = node.index;
    this.sched.after(this.netMs(), `n${i} receives notification #${s.id}`, () => {
      if (this.config.bug === 'ack-before-commit') this.answer(i, node.epoch, s);
      this.sched.after(this.env.int(1, 5), `n${i} commits notification #${s.id}`, () => {
        this.guard(
          applyNotification(this.db, this.cipher, MERCHANT, s.n, this.config.bug === 'trust-notified-amount').then((outcome) => {
            this.record(s, outcome);
            if (this.config.bug !== 'ack-before-commit') this.sched.after(0, `n${i} answers success to #${s.id}`, () => this.answer(i, node.epoch, s), i, node.epoch);
          }),
        );
      }, i, node.epoch);
    }, i, node.epoch);
  }

  private answer(i: number, epoch: number, s: NotifyStream): void {
    if (this.fault('dropReply')) return this.note(`success to #${s.id} lost`);
    this.sched.after(this.netMs(), `Alipay gets success for #${s.id}`, () => {
      s.acked = true;
    });
    void i;
    void epoch;
  }

  private record(s: NotifyStream, outcome: ApplyOutcome): void {
    this.applied.push({ stream: s, kind: outcome.kind });
    this.noteOutcome(s.n.outTradeNo, outcome);
  }

  private noteOutcome(outTradeNo: string, outcome: ApplyOutcome): void {
    if (outcome.kind === 'move') {
      this.note(`${outTradeNo}: ${outcome.from} --${outcome.event}--> (${outcome.writeOff ? 'write-off queued' : 'no write-off'})`);
    } else if (outcome.kind === 'anomaly') this.note(`${outTradeNo}: anomaly ${outcome.anomaly} kept and alarmed`);
    else if (outcome.kind !== 'no-order') this.note(`${outTradeNo}: ${outcome.event} ${outcome.kind} in ${outcome.from}`);
  }

  // ---- jobs and the operator ----------------------------------------------

  private aliveNode(): SimNode | null {
    const alive = this.nodes.filter((n) => n.alive);
    return alive.length ? alive[this.env.int(0, alive.length - 1)] : null;
  }

  /** Closes one expired open order: alipay.trade.close, or, when Alipay says it was paid after all, the payment is applied. */
  private closeJob(): void {
    this.sched.after(CLOSE_JOB_MS, 'close job', () => this.closeJob());
    const node = this.aliveNode();
    const due = [...this.db.orders.values()].find((o) => OPEN_FOR_PAYMENT.has(o.state as OrderState) && o.expires_at.getTime() - SIM_EPOCH_MS <= this.sched.now);
    if (!node || !due) return;
    const trade = this.trades.get(due.out_trade_no)!;
    const i = node.index;
    this.sched.after(this.env.int(1, 30), `n${i} close job: alipay.trade.close ${due.out_trade_no}`, () => {
      if (trade.paid) {
        this.note(`Alipay: ${trade.outTradeNo} is paid, not closed; the job applies the payment`);
        return this.guard(this.applyPaid(trade));
      }
      trade.closed = true;
      this.guard(applyEvent(this.db, this.cipher, trade.outTradeNo, 'CLOSED', 'close-job').then((o) => this.noteOutcome(trade.outTradeNo, o)));
      if (this.env.chance(0.5)) this.addStream(this.sched.now + this.env.int(0, 2000), trade, 'TRADE_CLOSED', trade.amountFen, MERCHANT.appId, true, 'TRADE_CLOSED (closed unpaid)');
    }, i, node.epoch);
  }

  /** alipay.trade.query for an open order whose notification has not come: a paid trade is applied with the same checks. */
  private queryJob(): void {
    this.sched.after(QUERY_JOB_MS, 'query job', () => this.queryJob());
    const node = this.aliveNode();
    const open = [...this.db.orders.values()].filter((o) => OPEN_FOR_PAYMENT.has(o.state as OrderState) || o.state === 'CLOSED');
    if (!node || !open.length) return;
    const order = open[this.env.int(0, open.length - 1)];
    const trade = this.trades.get(order.out_trade_no)!;
    this.sched.after(this.env.int(1, 30), `n${node.index} query job: alipay.trade.query ${order.out_trade_no}`, () => {
      if (!trade.paid) return this.note(`Alipay: ${trade.outTradeNo} not paid`);
      this.guard(this.applyPaid(trade));
    }, node.index, node.epoch);
  }

  /** Alipay's answer (trade.query, or trade.close refusing a paid trade) applied with the notification's checks. */
  private async applyPaid(trade: AlipayTrade): Promise<void> {
    const n: TradeNotification = { outTradeNo: trade.outTradeNo, tradeNo: trade.tradeNo, tradeStatus: 'TRADE_SUCCESS', totalFen: trade.amountFen, appId: MERCHANT.appId, sellerId: MERCHANT.sellerId, paidAt: trade.paidAt };
    this.noteOutcome(trade.outTradeNo, await applyNotification(this.db, this.cipher, MERCHANT, n));
  }

  private startDrain(): void {
    this.draining = true;
    this.note('faults stop; crashed nodes come back; the operator replays parked write-offs every 20 s');
    for (const n of this.nodes) if (!n.alive) this.restart(n.index);
    if (!this.config.operatorRefundsParked) this.sched.after(0, 'operator looks at parked write-offs', () => this.operator());
    else this.note('the operator keeps refunding parked payments whole');
  }

  private operator(): void {
    this.sched.after(OPERATOR_MS, 'operator looks at parked write-offs', () => this.operator());
    if (this.config.operatorRefundsParked) this.guard(this.refundParked());
    // a suspect write-off whose queries all failed is replayed (docs/payments.md); a parked one too, unless refunded
    this.guard(
      this.table.replayParked(this.config.operatorRefundsParked ? ['unknown'] : ['dead', 'unknown']).then((serials) => {
        if (serials.length) {
          this.stats.replays += serials.length;
          this.note(`operator replays ${serials.join(' ')}`);
        }
      }),
    );
  }

  /** The operator's other way out of PARKED: Alipay refunds the whole payment, then the bus records it. */
  private async refundParked(): Promise<void> {
    for (const o of [...this.db.orders.values()]) {
      if (o.state !== 'PARKED') continue;
      // as services/payment/refunds.ts: the marketing system is asked first; a posted serial is not refunded whole
      if (this.backOffice.queryPayment(o.out_trade_no).found) {
        // and the refusal says what to do: replay the write-off, it settles as written off
        const replayed = await this.table.replayParked(['dead'], o.out_trade_no);
        this.stats.replays += replayed.length;
        this.note(`operator: ${o.out_trade_no} is PARKED but posted after all: not refunded whole, its write-off replayed`);
        continue;
      }
      const trade = this.trades.get(o.out_trade_no)!;
      trade.refundedFen = trade.amountFen;
      if (await refundParkedWhole(this.db, o.out_trade_no)) {
        this.stats.refunds++;
        this.note(`operator refunds parked ${o.out_trade_no} whole (${o.amount_fen} fen), no reversal, write-off discarded`);
      }
    }
  }

  /** Nothing left to do: every notification answered, no open order, the outbox delivered. */
  private quiet(): boolean {
    if (this.streams.some((s) => !s.acked)) return false;
    for (const o of this.db.orders.values()) if (OPEN_FOR_PAYMENT.has(o.state as OrderState)) return false;
    if (this.trades.size < this.config.orders) return false;
    return this.db.outbox.every((r) => r.status === 'delivered' || r.status === 'discarded');
  }

  /** Figures that depend on the events: suspects and parked moves. */
  finish(result: RunResult): RunResult {
    for (const e of this.db.events) {
      if (e.to_state === 'SUSPECT') result.stats.suspects++;
      if (e.to_state === 'PARKED') result.stats.parked++;
      if (e.event === 'PAID' && (e.from_state === 'CLOSED' || e.from_state === 'FAILED')) result.stats.lateMoney++;
    }
    return result;
  }
}

/** marketing.writeOff as its mapping declares it: idempotent, settled by marketing.queryPayment. */
const FACTS = {
  defines: async (operation: string) => operation === WRITE_OFF_OPERATION || operation === QUERY_OPERATION,
  idempotent: async (operation: string) => operation === WRITE_OFF_OPERATION,
  settleQuery: async (operation: string) => (operation === WRITE_OFF_OPERATION ? QUERY_OPERATION : undefined),
};

const SILENT = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Lets every promise the last step resolved run to its next wait (all waits are on simulated events). */
function rest(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function pad(ms: number): string {
  return `${String(ms).padStart(7)}ms`;
}

/** One run: the seed decides everything; the worker's backoff jitter (Math.random) is fed from the seed too. */
export async function simulate(seed: number, config: SimConfig): Promise<RunResult> {
  const world = new World(seed, config);
  const random = Math.random;
  Math.random = () => world.jitter.next();
  try {
    return world.finish(await world.run());
  } finally {
    Math.random = random;
  }
}
