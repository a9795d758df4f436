import { Context, ServiceSchema } from 'moleculer';
import { PiiCipher } from '../../core/crypto';
import { addDays, addMonths, checkDayRange, checkMonth, checkMonthRange, chinaToday, monthOf } from '../../core/electricity/calendar';
import { isEmail, MAX_EMAIL_LENGTH } from '../../core/electricity/email';
import { FreshnessCache } from '../../core/electricity/freshness-cache';
import { BookedPayment, mergePaymentRecords } from '../../core/electricity/payment-records';
import { dailyReadingSpan, dailySeries, monthlyReadingSpan, monthlySeries } from '../../core/electricity/usage-series';
import { GridbusError } from '../../core/errors';
import { requireBoundAccount } from '../binding/ownership';
import { requireDep, ServiceDeps } from '../service-deps';
import { BackOffice } from './back-office';
import { busPaymentsOf } from './bus-payments';
import { appliedMark, lastEBillRequest, requestEBillChange } from './ebill-requests';
import { ACCOUNT_NO, DAY, MAX_THRESHOLD_FEN, MONTH, optional } from './params';
import { readingsOf } from './readings';
import { setThreshold, thresholdOf } from './thresholds';

type Meta = { user?: { id: string } | null; clientIp?: string | null; $statusCode?: number };
type Ctx<P> = Context<P, Meta>;
type AccountParams = { accountNo: string };
type RangeParams = AccountParams & { from?: string; to?: string };

/** Ranges a route gets when the caller gives no bound: the last 12 months, the last 30 days up to yesterday, the last 365 days of payments. */
const DEFAULT_MONTHS = 12;
const DEFAULT_USAGE_DAYS = 30;
const DEFAULT_PAYMENT_DAYS = 365;

/** Broadcast when a user asked to change an account's e-bill subscription: every node forgets the cached one. */
export const EBILL_CHANGED_EVENT = 'electricity.ebillChanged';

/**
 * My electricity (issue 12): monthly bills and e-bill detail, daily and
 * monthly usage series from the readings the collection channel stores, the
 * balance with the user's low-balance threshold, payment records (the bus's
 * own merged with the marketing system's), the e-bill subscription (changed
 * through the outbox). A user reaches only accounts bound to them; the
 * marketing system only through canonical operations, each answer cached for
 * a short time and saying how fresh it is (docs/electricity.md).
 */
export function createElectricityService(deps: ServiceDeps): ServiceSchema {
  const ds = requireDep(deps.dataSource, 'the database', 'electricity');
  const { config } = deps;
  const cipher = deps.pii ? new PiiCipher(deps.pii.encKey) : null;
  const backOffice = new BackOffice(new FreshnessCache(config.electricity.cacheTtlS));

  const owned = (ctx: Ctx<AccountParams>, action: string) => requireBoundAccount(ctx, ctx.params.accountNo, `electricity.${action}`, config.nodeId);
  const userOf = (ctx: Ctx<unknown>): string => {
    const id = ctx.meta.user?.id;
    if (!id) throw new GridbusError('UNAUTHORIZED', 'Authentication required', { details: { reason: 'no user' } });
    return id;
  };
  const audit = (ctx: Ctx<AccountParams>, action: string, details: Record<string, unknown>) =>
    ctx.emit('audit.event', { actor: ctx.meta.user?.id ?? 'unknown', action, outcome: 'success', target: `account:${ctx.params.accountNo}`, sourceIp: ctx.meta.clientIp ?? null, requestId: ctx.requestID, nodeId: config.nodeId, details });

  return {
    name: 'electricity',
    actions: {
      /** GET /api/v1/accounts/:accountNo/bills?from=yyyyMM&to=yyyyMM */
      bills: {
        params: { accountNo: ACCOUNT_NO, from: optional(MONTH), to: optional(MONTH), $$strict: true },
        async handler(ctx: Ctx<RangeParams>) {
          const to = ctx.params.to ?? monthOf(chinaToday());
          const range = checkMonthRange(ctx.params.from ?? addMonths(to, 1 - DEFAULT_MONTHS), to);
          await owned(ctx, 'bills');
          const { accountNo } = ctx.params;
          const answer = await backOffice.call<{ items: unknown[] }>(ctx, 'marketing.listBills', { accountNo, fromMonth: range.from, toMonth: range.to });
          return { accountNo, from: range.from, to: range.to, items: answer.value.items, asOf: answer.asOf, cached: answer.cached };
        },
      },

      /** GET /api/v1/accounts/:accountNo/bills/:billMonth: the e-bill (kWh by tariff period, charges by item). */
      bill: {
        params: { accountNo: ACCOUNT_NO, billMonth: MONTH, $$strict: true },
        async handler(ctx: Ctx<AccountParams & { billMonth: string }>) {
          checkMonth('billMonth', ctx.params.billMonth);
          await owned(ctx, 'bill');
          const { accountNo, billMonth } = ctx.params;
          const answer = await backOffice.call<Record<string, unknown>>(ctx, 'marketing.getBill', { accountNo, billMonth });
          return { ...answer.value, accountNo, asOf: answer.asOf, cached: answer.cached };
        },
      },

      /** GET /api/v1/accounts/:accountNo/usage/daily?from=yyyy-MM-dd&to=yyyy-MM-dd */
      dailyUsage: {
        params: { accountNo: ACCOUNT_NO, from: optional(DAY), to: optional(DAY), $$strict: true },
        async handler(ctx: Ctx<RangeParams>) {
          const to = ctx.params.to ?? addDays(chinaToday(), -1);
          const range = checkDayRange(ctx.params.from ?? addDays(to, 1 - DEFAULT_USAGE_DAYS), to);
          await owned(ctx, 'dailyUsage');
          const span = dailyReadingSpan(range.from, range.to);
          const { readings, receivedAt } = await readingsOf(ds, ctx.params.accountNo, span.first, span.last);
          return { accountNo: ctx.params.accountNo, from: range.from, to: range.to, unit: 'kWh', points: dailySeries(readings, range.from, range.to), asOf: receivedAt?.toISOString() ?? null, cached: false };
        },
      },

      /** GET /api/v1/accounts/:accountNo/usage/monthly?from=yyyyMM&to=yyyyMM */
      monthlyUsage: {
        params: { accountNo: ACCOUNT_NO, from: optional(MONTH), to: optional(MONTH), $$strict: true },
        async handler(ctx: Ctx<RangeParams>) {
          const today = chinaToday();
          const to = ctx.params.to ?? monthOf(today);
          const range = checkMonthRange(ctx.params.from ?? addMonths(to, 1 - DEFAULT_MONTHS), to);
          await owned(ctx, 'monthlyUsage');
          const span = monthlyReadingSpan(range.from, range.to);
          const { readings, receivedAt } = await readingsOf(ds, ctx.params.accountNo, span.first, span.last);
          return { accountNo: ctx.params.accountNo, from: range.from, to: range.to, unit: 'kWh', points: monthlySeries(readings, range.from, range.to, today), asOf: receivedAt?.toISOString() ?? null, cached: false };
        },
      },

      /** GET /api/v1/accounts/:accountNo/balance: the balance and the user's low-balance threshold. */
      balance: {
        params: { accountNo: ACCOUNT_NO, $$strict: true },
        async handler(ctx: Ctx<AccountParams>) {
          await owned(ctx, 'balance');
          const { accountNo } = ctx.params;
          const answer = await backOffice.call<{ prepaid: boolean; balanceFen: number; asOf: string }>(ctx, 'marketing.getBalance', { accountNo });
          const thresholdFen = ctx.meta.user ? await thresholdOf(ds, ctx.meta.user.id, accountNo) : null;
          const { prepaid, balanceFen } = answer.value;
          return {
            accountNo,
            prepaid,
            balanceFen,
            balanceAsOf: answer.value.asOf,
            thresholdFen,
            // only a prepaid account runs out; a postpaid one is billed
            low: prepaid && thresholdFen !== null && balanceFen < thresholdFen,
            asOf: answer.asOf,
            cached: answer.cached,
          };
        },
      },

      /** PUT /api/v1/accounts/:accountNo/balance/threshold { thresholdFen } */
      setThreshold: {
        params: { accountNo: ACCOUNT_NO, thresholdFen: { type: 'number', integer: true, min: 0, max: MAX_THRESHOLD_FEN, messages: { number: 'thresholdFen must be an integer number of fen', numberInteger: 'thresholdFen must be an integer number of fen', numberMin: 'thresholdFen must be 0 or more', numberMax: `thresholdFen must be at most ${MAX_THRESHOLD_FEN}` } }, $$strict: true },
        async handler(ctx: Ctx<AccountParams & { thresholdFen: number }>) {
          const userId = userOf(ctx);
          await owned(ctx, 'setThreshold');
          const saved = await setThreshold(ds, userId, ctx.params.accountNo, ctx.params.thresholdFen);
          audit(ctx, 'electricity.threshold', { thresholdFen: saved.thresholdFen });
          return { accountNo: ctx.params.accountNo, ...saved };
        },
      },

      /** GET /api/v1/accounts/:accountNo/payment-records?from=yyyy-MM-dd&to=yyyy-MM-dd */
      paymentRecords: {
        params: { accountNo: ACCOUNT_NO, from: optional(DAY), to: optional(DAY), $$strict: true },
        async handler(ctx: Ctx<RangeParams>) {
          const to = ctx.params.to ?? chinaToday();
          const range = checkDayRange(ctx.params.from ?? addDays(to, 1 - DEFAULT_PAYMENT_DAYS), to);
          await owned(ctx, 'paymentRecords');
          const { accountNo } = ctx.params;
          const [booked, ours] = await Promise.all([
            backOffice.call<{ items: BookedPayment[] }>(ctx, 'marketing.listPayments', { accountNo, fromDate: range.from, toDate: range.to }),
            busPaymentsOf(ds, accountNo, range.from, range.to),
          ]);
          return { accountNo, from: range.from, to: range.to, items: mergePaymentRecords(ours, booked.value.items), asOf: booked.asOf, cached: booked.cached };
        },
      },

      /** GET /api/v1/accounts/:accountNo/ebill: the subscription, and the user's last change with its state. */
      ebill: {
        params: { accountNo: ACCOUNT_NO, $$strict: true },
        async handler(ctx: Ctx<AccountParams>) {
          await owned(ctx, 'ebill');
          const { accountNo } = ctx.params;
          // read before asking: an answer given before the latest applied change is kept under the older mark
          const mark = await appliedMark(ds, accountNo);
          const answer = await backOffice.call<{ subscribed: boolean; since: string | null }>(ctx, 'marketing.getEBillSubscription', { accountNo }, `applied:${mark}`);
          const lastRequest = ctx.meta.user ? await lastEBillRequest(ds, cipher, ctx.meta.user.id, accountNo) : null;
          return { accountNo, subscribed: answer.value.subscribed, since: answer.value.since, lastRequest, asOf: answer.asOf, cached: answer.cached };
        },
      },

      /** PUT /api/v1/accounts/:accountNo/ebill { subscribe, email? }: 202, delivered by the outbox. */
      setEbill: {
        params: {
          accountNo: ACCOUNT_NO,
          subscribe: { type: 'boolean', messages: { boolean: 'subscribe must be true or false' } },
          email: { type: 'string', optional: true, nullable: true, max: MAX_EMAIL_LENGTH, messages: { string: 'email must be a text', stringMax: `email must be at most ${MAX_EMAIL_LENGTH} characters` } },
          $$strict: true,
        },
        async handler(ctx: Ctx<AccountParams & { subscribe: boolean; email?: string | null }>) {
          const userId = userOf(ctx);
          const email = ctx.params.email?.trim() || null;
          if (email && !isEmail(email)) throw new GridbusError('VALIDATION_FAILED', 'email must be an e-mail address such as name@example.com', { details: { problems: [{ field: 'email', type: 'email', message: 'email must be an e-mail address such as name@example.com' }] } });
          if (email && !ctx.params.subscribe) throw new GridbusError('VALIDATION_FAILED', 'an email goes only with subscribe: true', { details: { problems: [{ field: 'email', type: 'forbidden', message: 'an email goes only with subscribe: true' }] } });
          if (email && !cipher) throw new GridbusError('CONFIG_INVALID', 'electricity: this node has no PII keys to store an e-mail address (PII_ENC_KEY, PII_HASH_KEY)');
          await owned(ctx, 'setEbill');
          const { accountNo } = ctx.params;
          const request = await requestEBillChange(ds, cipher, { userId, accountNo, subscribe: ctx.params.subscribe, email });
          backOffice.drop('marketing.getEBillSubscription', { accountNo });
          ctx.broadcast(EBILL_CHANGED_EVENT, { accountNo });
          audit(ctx, 'electricity.ebill', { subscribe: request.subscribe, serial: request.serial, email: request.email !== null });
          ctx.meta.$statusCode = 202;
          return { accountNo, ...request };
        },
      },
    },
    events: {
      [EBILL_CHANGED_EVENT]: {
        params: { accountNo: 'string' },
        handler(ctx: Context<{ accountNo: string }>) {
          backOffice.drop('marketing.getEBillSubscription', { accountNo: ctx.params.accountNo });
        },
      },
    },
  };
}
