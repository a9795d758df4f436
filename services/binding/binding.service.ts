import { Context, ServiceSchema } from 'moleculer';
import { LookupHasher, maskAccountNo, maskAddress, maskName, normaliseForLookup, PiiCipher } from '../../core/crypto';
import { GridbusError } from '../../core/errors';
import { requireDep, ServiceDeps } from '../service-deps';
import { BindingStore, HolderIdentity } from './binding-store';
import { BoundCache } from './bound-cache';
import { CANDIDATE_TTL_SECONDS, refused, signCandidate, verifyCandidate } from './candidate-token';
import { HolderCheckThrottle } from './holder-check-throttle';
import { normaliseLabel } from './label';
import { accountNotFound } from './ownership';
import { describePiiKeys } from './pii-keys';

type Meta = { user?: { id: string } | null; clientIp?: string | null };

interface AlipayIdentity {
  userId: string;
  certNo: string | null;
  certType: string | null;
  mobile: string | null;
  userName: string | null;
  isCertified: boolean;
}

interface FoundCustomer {
  accountNo: string;
  holderName?: string | null;
  address?: string | null;
  orgNo?: string | null;
}

const ACCOUNT_NO = { type: 'string', pattern: /^[0-9]{10}$/, messages: { stringPattern: 'accountNo must be 10 digits' } };
/** Alipay cert_type of the resident identity card: the only document the marketing system binds on. */
const RESIDENT_ID_CARD = '0';
const RESIDENT_ID = /^[0-9]{17}[0-9X]$/;
/** The canonical certType of the only document binding accepts (Alipay's cert_type 0). */
export const CANONICAL_RESIDENT_ID_CARD = 'IDENTITY_CARD';

/** The canonical request of marketing.findCustomersByIdentity: certNo, name, certType, and mobile when Alipay shared one. */
export function identityLookup(identity: HolderIdentity): { certNo: string; name: string; certType: string; mobile?: string } {
  const lookup: { certNo: string; name: string; certType: string; mobile?: string } = { certNo: identity.certNo, name: identity.name, certType: CANONICAL_RESIDENT_ID_CARD };
  if (identity.mobile) lookup.mobile = identity.mobile;
  return lookup;
}

/**
 * User-number direct binding (flow 1 of the architecture): the user's own
 * Alipay real-name data finds their electricity accounts in the marketing
 * system; the user picks one and it is bound to them. Personal data is
 * encrypted at rest, masked in every answer, and never logged; every step is
 * audited. `isBound` is what billing (and any service handing out account
 * data) asks before answering a user.
 */
export function createBindingService(deps: ServiceDeps): ServiceSchema {
  const ds = requireDep(deps.dataSource, 'the database', 'binding');
  const keys = requireDep(deps.pii ?? null, 'the PII keys (PII_ENC_KEY, PII_HASH_KEY)', 'binding');
  const { config } = deps;
  const store = new BindingStore(ds, new PiiCipher(keys.encKey), new LookupHasher(keys.hashKey), config.binding);
  const bound = new BoundCache(config.binding.cacheMs);
  const throttle = new HolderCheckThrottle(ds, config.binding.holderCheckMaxFailures, config.binding.holderCheckWindowS);
  let lastPrune = 0;

  const audit = (ctx: Context<unknown, Meta>, action: string, outcome: 'success' | 'denied', target: string | null, details?: Record<string, unknown>) =>
    ctx.emit('audit.event', {
      actor: ctx.meta.user?.id ?? 'anonymous',
      action,
      outcome,
      target,
      sourceIp: ctx.meta.clientIp ?? null,
      requestId: ctx.requestID,
      nodeId: config.nodeId,
      details: details ?? null,
    });

  /** Every action but isBound acts for the signed-in user, and only for them. */
  const userOf = (ctx: Context<unknown, Meta>): string => {
    const id = ctx.meta.user?.id;
    if (!id) throw new GridbusError('UNAUTHORIZED', 'Authentication required', { details: { reason: 'no user' } });
    return id;
  };

  /** Refuses and audits in one step; the reason is a fixed phrase, never personal data. */
  const deny = (ctx: Context<unknown, Meta>, action: string, target: string | null, err: GridbusError): never => {
    audit(ctx, action, 'denied', target, { reason: (err.data as { reason?: string } | undefined)?.reason ?? err.type });
    throw err;
  };

  return {
    name: 'binding',
    actions: {
      /** POST /api/v1/bindings/candidates: the accounts held under the user's Alipay real-name identity, masked, each with a candidate token. */
      candidates: {
        params: { authCode: { type: 'string', min: 1, max: 128 }, $$strict: true },
        async handler(ctx: Context<{ authCode: string }, Meta>) {
          const userId = userOf(ctx);
          let grant: { userId: string; accessToken: string };
          try {
            grant = (await ctx.call('alipay.exchangeAuthCode', { authCode: ctx.params.authCode })) as { userId: string; accessToken: string };
          } catch (err) {
            audit(ctx, 'binding.candidates', 'denied', null, { reason: (err as GridbusError).data?.reason ?? (err as GridbusError).type ?? 'auth code refused' });
            throw err;
          }
          if (grant.userId !== userId) {
            deny(ctx, 'binding.candidates', null, new GridbusError('FORBIDDEN', 'The Alipay authorisation belongs to another user than the one signed in', { details: { reason: 'auth code of another Alipay user' } }));
          }
          let info: AlipayIdentity;
          try {
            info = (await ctx.call('alipay.userInfo', { authToken: grant.accessToken })) as AlipayIdentity;
          } catch (err) {
            audit(ctx, 'binding.candidates', 'denied', null, { reason: (err as GridbusError).data?.reason ?? (err as GridbusError).type ?? 'user info refused' });
            throw err;
          }
          if (info.userId !== userId) {
            deny(ctx, 'binding.candidates', null, new GridbusError('FORBIDDEN', 'The Alipay authorisation belongs to another user than the one signed in', { details: { reason: 'identity of another Alipay user' } }));
          }
          if (!info.isCertified || !info.certNo || !info.userName) {
            deny(ctx, 'binding.candidates', null, new GridbusError('IDENTITY_NOT_CERTIFIED', 'Binding by identity needs a real-name certified Alipay account: complete the certification in Alipay first', { details: { reason: 'not certified' } }));
          }
          const certNo = normaliseForLookup('idNumber', info.certNo!);
          if ((info.certType !== null && info.certType !== RESIDENT_ID_CARD) || !RESIDENT_ID.test(certNo)) {
            deny(ctx, 'binding.candidates', null, new GridbusError('IDENTITY_NOT_CERTIFIED', 'Binding by identity needs a resident identity card certified in Alipay', { details: { reason: 'not a resident identity card' } }));
          }
          const identity: HolderIdentity = { certNo, mobile: info.mobile ? normaliseForLookup('mobile', info.mobile) : null, name: info.userName!.trim() };
          // the mobile is the user's primary identity (services/users links the Alipay user to it); not awaited, never blocks binding
          if (identity.mobile) ctx.emit('users.identity', { alipayUserId: userId, mobile: identity.mobile, realNameVerified: true }, 'users');

          // every real-name field the bus holds; the mapping picks what its system looks customers up by
          const found = (await ctx.call('marketing.findCustomersByIdentity', identityLookup(identity))) as { customers?: FoundCustomer[] };
          const customers = (found.customers ?? []).filter((c) => typeof c.accountNo === 'string' && /^[0-9]{10}$/.test(c.accountNo));
          const bound = new Set(await store.boundAccounts(userId));
          const certHash = store.certHash(identity.certNo);
          audit(ctx, 'binding.candidates', 'success', null, { candidates: customers.length });
          return {
            candidates: customers.map((c) => ({
              accountNo: maskAccountNo(c.accountNo),
              // masked by the mapping already; masked again so that a mapping that forgets cannot leak
              holderName: c.holderName ? maskName(c.holderName) : null,
              address: c.address ? maskAddress(c.address) : null,
              orgNo: c.orgNo ?? null,
              bound: bound.has(c.accountNo),
              candidateToken: signCandidate(config.auth, { userId, certHash, sealed: store.seal(c.accountNo, identity) }),
            })),
            expiresIn: CANDIDATE_TTL_SECONDS,
          };
        },
      },

      /** POST /api/v1/bindings: binds the account a candidate token offered to this user (idempotent). */
      bind: {
        params: { candidateToken: { type: 'string', min: 16, max: 8192 }, $$strict: true },
        async handler(ctx: Context<{ candidateToken: string }, Meta>) {
          const userId = userOf(ctx);
          let candidate: ReturnType<typeof verifyCandidate>;
          try {
            candidate = verifyCandidate(config.auth, ctx.params.candidateToken);
          } catch (err) {
            return deny(ctx, 'binding.created', null, err as GridbusError);
          }
          let offer: { accountNo: string; identity: HolderIdentity };
          try {
            offer = store.unseal(candidate.sealed);
          } catch {
            return deny(ctx, 'binding.created', null, refused('candidate token invalid'));
          }
          const { accountNo, identity } = offer;
          const target = `account:${accountNo}`;
          if (candidate.userId !== userId) deny(ctx, 'binding.created', target, refused('candidate token of another user'));
          if (store.certHash(identity.certNo) !== candidate.certHash) deny(ctx, 'binding.created', target, refused('candidate token invalid'));

          let result: Awaited<ReturnType<BindingStore['bind']>>;
          try {
            result = await store.bind(userId, accountNo, identity);
          } catch (err) {
            if ((err as GridbusError).type === 'BINDING_LIMIT_REACHED') deny(ctx, 'binding.created', target, err as GridbusError);
            throw err;
          }
          const { created, boundAt, isDefault } = result;
          audit(ctx, 'binding.created', 'success', target, { alreadyBound: !created });
          if (created) ctx.emit('binding.created', { userId, accountNo, boundAt, kind: 'IDENTITY' });
          return { accountNo, holderName: maskName(identity.name), boundAt, created, kind: 'IDENTITY', isDefault };
        },
      },

      /** GET /api/v1/bindings: the user's active bindings (their own account numbers in full, names masked). */
      list: {
        params: { $$strict: true },
        async handler(ctx: Context<Record<string, never>, Meta>) {
          const userId = userOf(ctx);
          const rows = await store.list(userId);
          return {
            bindings: rows.map((b) => ({
              accountNo: b.accountNo,
              holderName: b.holderName ? maskName(b.holderName) : null,
              boundAt: b.boundAt,
              kind: b.kind,
              label: b.label,
              isDefault: b.isDefault,
            })),
          };
        },
      },

      /**
       * POST /api/v1/bindings/manual: binds an account whose holder is someone
       * else (a landlord, parents) when the marketing system confirms the
       * holder's name or the last digits of their ID number. Failed checks of
       * one account are throttled per user (TOO_MANY_ATTEMPTS); an unknown
       * account counts as a failed check (no probing of account numbers).
       */
      manual: {
        params: {
          accountNo: ACCOUNT_NO,
          holderName: { type: 'string', min: 1, max: 64, trim: true, optional: true },
          certNoTail: { type: 'string', pattern: /^[0-9]{3,5}[0-9Xx]$/, optional: true, messages: { stringPattern: 'certNoTail must be the last 4 to 6 characters of the ID number (digits, the last may be X)' } },
          label: { type: 'string', max: 64, optional: true },
          $$strict: true,
        },
        async handler(ctx: Context<{ accountNo: string; holderName?: string; certNoTail?: string; label?: string }, Meta>) {
          const userId = userOf(ctx);
          const { accountNo } = ctx.params;
          const target = `account:${accountNo}`;
          const holderName = ctx.params.holderName?.trim() || undefined;
          const certNoTail = ctx.params.certNoTail?.toUpperCase();
          if (!holderName && !certNoTail) {
            throw new GridbusError('VALIDATION_FAILED', "Give the holder's name (holderName) or the last digits of their ID number (certNoTail)", {
              details: { problems: [{ field: 'holderName', type: 'required', message: 'holderName or certNoTail is required' }] },
            });
          }
          const label = ctx.params.label === undefined ? null : normaliseLabel(ctx.params.label);
          if (await store.isBound(userId, accountNo)) {
            const existing = (await store.list(userId)).find((b) => b.accountNo === accountNo)!;
            return { accountNo, holderName: existing.holderName ? maskName(existing.holderName) : null, boundAt: existing.boundAt, created: false, kind: existing.kind, isDefault: existing.isDefault };
          }
          // old attempts go at most once an hour, on the way
          if (Date.now() - lastPrune > 3600_000) {
            lastPrune = Date.now();
            void throttle.prune().catch(() => undefined);
          }
          const attempt = await throttle.begin(userId, accountNo);
          if (attempt.id === null) {
            deny(ctx, 'binding.manual', target, new GridbusError('TOO_MANY_ATTEMPTS', `Too many failed holder checks of this account: try again in ${attempt.retryAfterS} s`, {
              details: { reason: 'too many failed holder checks', retryAfterS: attempt.retryAfterS, maxFailures: config.binding.holderCheckMaxFailures, windowS: config.binding.holderCheckWindowS },
            }));
          }
          const check: { accountNo: string; holderName?: string; certNoTail?: string } = { accountNo };
          if (holderName) check.holderName = holderName;
          if (certNoTail) check.certNoTail = certNoTail;
          let answer: { matched?: unknown; holderNameMasked?: unknown };
          try {
            answer = (await ctx.call('marketing.verifyHolder', check)) as { matched?: unknown; holderNameMasked?: unknown };
          } catch (err) {
            const unknownAccount = (err as GridbusError).type === 'ACCOUNT_NOT_FOUND';
            await throttle.finish(attempt.id!, unknownAccount ? 'mismatch' : 'error');
            if (unknownAccount) return deny(ctx, 'binding.manual', target, accountNotFound());
            audit(ctx, 'binding.manual', 'denied', target, { reason: (err as GridbusError).type ?? 'holder check failed' });
            throw err;
          }
          if (answer.matched !== true) {
            await throttle.finish(attempt.id!, 'mismatch');
            deny(ctx, 'binding.manual', target, new GridbusError('HOLDER_MISMATCH', 'The holder details given do not match the account holder in the marketing system', {
              details: { reason: 'holder check failed', checked: holderName ? 'holderName' : 'certNoTail' },
            }));
          }
          await throttle.finish(attempt.id!, 'matched');
          const masked = typeof answer.holderNameMasked === 'string' ? answer.holderNameMasked : null;
          let result: Awaited<ReturnType<BindingStore['bindManual']>>;
          try {
            result = await store.bindManual(userId, accountNo, { name: holderName ?? masked ?? '', label });
          } catch (err) {
            if ((err as GridbusError).type === 'BINDING_LIMIT_REACHED') deny(ctx, 'binding.manual', target, err as GridbusError);
            throw err;
          }
          audit(ctx, 'binding.manual', 'success', target, { alreadyBound: !result.created, checked: holderName ? 'holderName' : 'certNoTail' });
          if (result.created) ctx.emit('binding.created', { userId, accountNo, boundAt: result.boundAt, kind: 'MANUAL' });
          const shown = holderName ?? masked;
          return { accountNo, holderName: shown ? maskName(shown) : null, boundAt: result.boundAt, created: result.created, kind: 'MANUAL', isDefault: result.isDefault };
        },
      },

      /** PUT /api/v1/bindings/:accountNo/default: the account the front end opens first (exactly one per user). */
      setDefault: {
        params: { accountNo: ACCOUNT_NO, $$strict: true },
        async handler(ctx: Context<{ accountNo: string }, Meta>) {
          const userId = userOf(ctx);
          const target = `account:${ctx.params.accountNo}`;
          if (!(await store.setDefault(userId, ctx.params.accountNo))) deny(ctx, 'binding.default', target, accountNotFound());
          audit(ctx, 'binding.default', 'success', target);
          return { accountNo: ctx.params.accountNo, isDefault: true };
        },
      },

      /** PUT /api/v1/bindings/:accountNo/label: the user's own label of a binding ("home", "parents"); null or "" clears it. */
      setLabel: {
        params: { accountNo: ACCOUNT_NO, label: { type: 'string', max: 64, nullable: true }, $$strict: true },
        async handler(ctx: Context<{ accountNo: string; label: string | null }, Meta>) {
          const userId = userOf(ctx);
          const label = ctx.params.label === null || ctx.params.label.trim() === '' ? null : normaliseLabel(ctx.params.label);
          const target = `account:${ctx.params.accountNo}`;
          if (!(await store.setLabel(userId, ctx.params.accountNo, label))) deny(ctx, 'binding.label', target, accountNotFound());
          audit(ctx, 'binding.label', 'success', target);
          return { accountNo: ctx.params.accountNo, label };
        },
      },

      /** How many active bindings the user has (services/users, GET /api/v1/me). Internal: never routed. */
      countOf: {
        visibility: 'public',
        params: { userId: { type: 'string', min: 1, max: 128 }, $$strict: true },
        async handler(ctx: Context<{ userId: string }>) {
          return store.countActive(ctx.params.userId);
        },
      },

      /** DELETE /api/v1/bindings/:accountNo: ends the user's own binding; someone else's is "not found". */
      unbind: {
        params: { accountNo: ACCOUNT_NO, $$strict: true },
        async handler(ctx: Context<{ accountNo: string }, Meta>) {
          const userId = userOf(ctx);
          const target = `account:${ctx.params.accountNo}`;
          if (!(await store.unbind(userId, ctx.params.accountNo))) {
            audit(ctx, 'binding.deleted', 'denied', target, { reason: 'no active binding of the user' });
            throw accountNotFound();
          }
          // every binding node forgets it: this one before answering, the others when the broadcast arrives
          bound.forget(userId, ctx.params.accountNo);
          ctx.broadcast('binding.forget', { userId, accountNo: ctx.params.accountNo }, 'binding');
          audit(ctx, 'binding.deleted', 'success', target);
          ctx.emit('binding.deleted', { userId, accountNo: ctx.params.accountNo });
          return { accountNo: ctx.params.accountNo, unbound: true };
        },
      },

      /** Whether the user has an active binding of the account. Internal: never routed. */
      isBound: {
        visibility: 'public',
        params: { userId: { type: 'string', min: 1, max: 128 }, accountNo: ACCOUNT_NO, $$strict: true },
        async handler(ctx: Context<{ userId: string; accountNo: string }>) {
          const { userId, accountNo } = ctx.params;
          if (bound.has(userId, accountNo)) return true;
          const ticket = bound.ticket();
          const yes = await store.isBound(userId, accountNo);
          if (yes) bound.remember(userId, accountNo, ticket);
          return yes;
        },
      },
    },
    events: {
      /** An unbinding on any node: this node's memory of it goes. */
      'binding.forget'(ctx: Context<{ userId: string; accountNo: string }>) {
        bound.forget(ctx.params.userId, ctx.params.accountNo);
      },
    },
    created(this: { logger: { info: (m: string) => void } }) {
      this.logger.info(describePiiKeys(keys));
    },
  };
}
