import { Context, ServiceSchema } from 'moleculer';
import { LookupHasher, maskMobile, PiiCipher } from '../../core/crypto';
import { GridbusError } from '../../core/errors';
import { requireDep, ServiceDeps } from '../service-deps';
import { FollowStore, LifeNumberEvent } from './follow-store';
import { USERCENTER_OPS } from './usercenter-push';
import { UserStore } from './user-store';

type Meta = { user?: { id: string } | null; clientIp?: string | null };
type Logger = { debug: (m: string) => void; info: (m: string) => void; warn: (m: string) => void; error: (m: string) => void };

/** Events one instance of the users service handles (a load-balanced group). */
const USERS_GROUP = 'users';
/** Users looked up per round of the unified-id sync. */
const SYNC_BATCH = 50;
const MOBILE = /^1[0-9]{10}$/;
const ALIPAY_USER = { type: 'string', min: 1, max: 128 } as const;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Users (issue 12): the mobile as the primary identity (one app_user per
 * mobile, whatever Alipay user ids it is seen with; the group's unified user
 * system told of registrations, bindings and real-name status through the
 * outbox), the profile (`GET /api/v1/me`), and the life-number events
 * (follow state per user, the event log) for the statistics and for choosing
 * the message channel (`users.channelFor`). See docs/users.md.
 */
export function createUsersService(deps: ServiceDeps): ServiceSchema {
  const ds = requireDep(deps.dataSource, 'the database', 'users');
  const keys = requireDep(deps.pii ?? null, 'the PII keys (PII_ENC_KEY, PII_HASH_KEY)', 'users');
  const { config } = deps;
  const users = new UserStore(ds, new PiiCipher(keys.encKey), new LookupHasher(keys.hashKey));
  const follows = new FollowStore(ds);
  let syncTimer: NodeJS.Timeout | null = null;
  let syncing = false;

  const userOf = (ctx: Context<unknown, Meta>): string => {
    const id = ctx.meta.user?.id;
    if (!id) throw new GridbusError('UNAUTHORIZED', 'Authentication required', { details: { reason: 'no user' } });
    return id;
  };

  /** The unified id of a mobile the group's system knows; null when it does not or cannot answer now (the registration path then covers it). */
  const findUnified = async (call: (op: string, p: unknown) => Promise<unknown>, mobile: string, log: Logger): Promise<string | null> => {
    try {
      const found = (await call(USERCENTER_OPS.findUserByMobile, { mobile })) as { found?: boolean; unifiedUserId?: string | null };
      return found.found && typeof found.unifiedUserId === 'string' ? found.unifiedUserId : null;
    } catch (err) {
      log.warn(`${USERCENTER_OPS.findUserByMobile} failed: ${(err as GridbusError).type ?? ''} ${(err as Error).message}`);
      return null;
    }
  };

  return {
    name: 'users',
    actions: {
      /** GET /api/v1/me: the signed-in user's profile (mobile masked). */
      me: {
        params: { $$strict: true },
        async handler(ctx: Context<Record<string, never>, Meta>) {
          const userId = userOf(ctx);
          const profile = await users.profileOf(userId);
          const boundAccounts = (await ctx.call('binding.countOf', { userId })) as number;
          // the power plate keeps the newest real-name answer (a check, or an identity binding); without it, the profile's
          const realName = (await ctx.call('power.realName', {}).catch(() => null)) as { certified?: boolean | null } | null;
          const verified = profile?.realNameStatus === 'VERIFIED' || realName?.certified === true;
          return {
            userId,
            mobile: profile ? maskMobile(profile.mobile) : null,
            realNameStatus: verified ? 'VERIFIED' : 'UNVERIFIED',
            unifiedUser: profile?.unifiedUserId ? true : false,
            boundAccounts,
            followsLifeNumber: await follows.follows(userId),
          };
        },
      },

      /** Whether a message to the user goes through the life number (they follow it) or falls back to SMS. Internal: never routed. */
      channelFor: {
        visibility: 'public',
        params: { userId: ALIPAY_USER, $$strict: true },
        async handler(ctx: Context<{ userId: string }>) {
          const following = await follows.follows(ctx.params.userId);
          return { userId: ctx.params.userId, followsLifeNumber: following, channel: following ? 'LIFE_NUMBER' : 'SMS' };
        },
      },

      /** Links an Alipay user to their mobile (the users.identity event does the same; this answers). Internal: never routed. */
      linkIdentity: {
        visibility: 'public',
        params: { alipayUserId: ALIPAY_USER, mobile: { type: 'string', pattern: MOBILE }, realNameVerified: 'boolean', $$strict: true },
        async handler(this: { logger: Logger }, ctx: Context<{ alipayUserId: string; mobile: string; realNameVerified: boolean }>) {
          const { alipayUserId, mobile, realNameVerified } = ctx.params;
          const known = await users.profileOf(alipayUserId);
          const unified = known?.unifiedUserId ?? (await findUnified((op, p) => ctx.call(op, p), mobile, this.logger));
          const outcome = await users.link(alipayUserId, mobile, realNameVerified, unified);
          return { unifiedUserId: outcome.unifiedUserId, registered: outcome.registered };
        },
      },

      /** GET /admin/api/followers: followers now, and follows and unfollows per day of the last `days` days. */
      followers: {
        params: {
          days: { type: 'number', integer: true, min: 1, max: 366, optional: true, convert: true },
          tz: { type: 'string', max: 64, pattern: /^[A-Za-z][A-Za-z0-9_+/-]*$/, optional: true },
          $$strict: true,
        },
        async handler(ctx: Context<{ days?: number; tz?: string }>) {
          const days = ctx.params.days ?? 30;
          const tz = ctx.params.tz ?? 'Asia/Shanghai';
          if (!isTimeZone(tz)) {
            throw new GridbusError('VALIDATION_FAILED', `'tz' is not a known time zone: ${tz}`, { details: { problems: [{ field: 'tz', type: 'timeZone', message: `'tz' is not a known time zone` }] } });
          }
          const today = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
          const end = new Date(`${today}T00:00:00Z`);
          end.setUTCDate(end.getUTCDate() + 1);
          const start = new Date(end);
          start.setUTCDate(start.getUTCDate() - days);
          const daily = await follows.daily(start.toISOString().slice(0, 10), end.toISOString().slice(0, 10), tz);
          return { followers: await follows.followerCount(), tz, days, daily };
        },
      },
    },
    events: {
      /** binding.candidates saw the user's Alipay identity (mobile included). */
      'users.identity': {
        group: USERS_GROUP,
        async handler(this: { logger: Logger }, ctx: Context<{ alipayUserId?: unknown; mobile?: unknown; realNameVerified?: unknown }>) {
          const { alipayUserId, mobile, realNameVerified } = ctx.params ?? {};
          if (typeof alipayUserId !== 'string' || typeof mobile !== 'string' || !MOBILE.test(mobile)) {
            this.logger.warn('users.identity without a usable Alipay user id and mobile: ignored');
            return;
          }
          try {
            await ctx.call('users.linkIdentity', { alipayUserId, mobile, realNameVerified: realNameVerified === true });
          } catch (err) {
            // the next candidates call links them again; the mobile is never logged
            this.logger.error(`user ${alipayUserId} not linked to their mobile: ${(err as Error).message}`);
          }
        },
      },
      /** Follow, unfollow, enter, click... from the life-number gateway. */
      'lifenumber.user.event': {
        group: USERS_GROUP,
        async handler(this: { logger: Logger }, ctx: Context<LifeNumberEvent>) {
          try {
            const outcome = await follows.record(ctx.params);
            if (outcome === 'ignored') this.logger.warn('lifenumber.user.event without a usable eventType and fromUserId: ignored');
          } catch (err) {
            this.logger.error(`lifenumber.user.event not recorded: ${(err as Error).message}`);
          }
        },
      },
    },
    started(this: { logger: Logger; broker: { call: (a: string, p: unknown) => Promise<unknown> } }) {
      const broker = this.broker;
      const logger = this.logger;
      // registered users whose unified id the bus has not learnt yet: ask by mobile until the registration is delivered
      syncTimer = setInterval(() => {
        if (syncing) return;
        syncing = true;
        void (async () => {
          try {
            for (const u of await users.awaitingUnifiedId(SYNC_BATCH)) {
              const unified = await findUnified((op, p) => broker.call(op, p), u.mobile, logger);
              if (unified && (await users.learnUnifiedId(u.localUserId, unified))) logger.info(`user ${u.localUserId}: unified user id learnt, bindings pushed`);
            }
          } catch (err) {
            logger.warn(`unified user id sync: ${(err as Error).message}`);
          } finally {
            syncing = false;
          }
        })();
      }, config.usercenter.syncMs);
      syncTimer.unref();
    },
    stopped() {
      if (syncTimer) clearInterval(syncTimer);
      syncTimer = null;
    },
  };
}
