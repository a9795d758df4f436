import * as fs from 'fs';
import * as path from 'path';
import { randomBytes, randomUUID } from 'crypto';
import { Context, ServiceSchema } from 'moleculer';
import { isEmbeddedDefault } from '../../config';
import { RefreshTokens, signAccessToken, signOperatorToken } from '../../core/auth';
import { GridbusError } from '../../core/errors';
import { requireDep, ServiceDeps } from '../service-deps';
import { LoginThrottle } from './login-throttle';
import { OperatorAccounts, Role, ROLES } from './operator-accounts';
import { OPERATOR_CHANGED } from './operator-events';

type Meta = { user?: { id: string; roles?: string[] } | null; clientIp?: string | null };

const USER_ACCESS_TTL = 900;
const OPERATOR_ACCESS_TTL = 3600;

/** The one answer to a wrong password, an unknown name and a disabled account alike. */
const BAD_CREDENTIALS = () => new GridbusError('UNAUTHORIZED', 'Wrong user name or password', { details: { reason: 'bad credentials' } });

/**
 * Sessions: operators log in with a password; users' sessions start from an
 * Alipay auth code (elsewhere) and continue with refresh tokens here.
 * Every login and refusal is audited.
 */
export function createAuthService(deps: ServiceDeps): ServiceSchema {
  const ds = requireDep(deps.dataSource, 'the database', 'auth');
  const { config } = deps;
  const operators = new OperatorAccounts(ds);
  const throttle = new LoginThrottle(ds);
  // set in created(): every revoked session and changed operator is broadcast to the gateways' caches
  let operatorChanged: (username: string) => void = () => undefined;
  const refresh = new RefreshTokens(ds, undefined, (subject) => operatorChanged(subject));
  let forgetTimer: NodeJS.Timeout | null = null;

  const audit = (ctx: Context<unknown, Meta>, actor: string, action: string, outcome: 'success' | 'denied', details?: Record<string, unknown>) =>
    ctx.emit('audit.event', { actor, action, outcome, sourceIp: ctx.meta.clientIp ?? null, requestId: ctx.requestID, nodeId: config.nodeId, details: details ?? null });

  /** The access token names its session (`sid`, the refresh-token family): logging out ends it too. */
  function operatorSession(username: string, roles: Role[], refreshToken: string, sid: string) {
    return {
      accessToken: signOperatorToken(config.auth, { sub: username, roles, sid }, OPERATOR_ACCESS_TTL),
      tokenType: 'Bearer',
      expiresIn: OPERATOR_ACCESS_TTL,
      refreshToken,
      roles,
    };
  }

  return {
    name: 'auth',
    actions: {
      operatorLogin: {
        params: { username: { type: 'string', min: 1, max: 64 }, password: { type: 'string', min: 1, max: 256 }, $$strict: true },
        async handler(ctx: Context<{ username: string; password: string }, Meta>) {
          const { username, password } = ctx.params;
          // throttled per (name, address), whether the name exists or not (login-throttle.ts)
          const admission = await throttle.admit(username, ctx.meta.clientIp ?? 'unknown');
          if (!admission.admitted) {
            audit(ctx, username.slice(0, 64), 'auth.operator.login', 'denied', { reason: 'throttled' });
            throw new GridbusError('RATE_LIMITED', 'Too many failed log-ins with this user name from your address: wait as long as Retry-After says', {
              details: { reason: 'throttled', retryAfterMs: admission.retryAfterMs },
            });
          }
          const operator = await operators.authenticate(username, password);
          if (!operator) {
            audit(ctx, username.slice(0, 64), 'auth.operator.login', 'denied', { reason: 'bad credentials' });
            throw BAD_CREDENTIALS();
          }
          await throttle.succeeded(username, ctx.meta.clientIp ?? 'unknown');
          audit(ctx, operator.username, 'auth.operator.login', 'success');
          const sid = randomUUID();
          return operatorSession(operator.username, operator.roles, await refresh.issue(operator.username, 'operator', sid), sid);
        },
      },
      operatorRefresh: {
        params: { refreshToken: { type: 'string', min: 20, max: 200 }, $$strict: true },
        async handler(ctx: Context<{ refreshToken: string }, Meta>) {
          const next = await refresh.rotate(ctx.params.refreshToken, 'operator').catch((err) => {
            audit(ctx, 'anonymous', 'auth.refresh.rejected', 'denied', { kind: 'operator', reason: (err as GridbusError).data?.reason });
            throw err;
          });
          const roles = await operators.rolesOf(next.subject);
          if (!roles) {
            await refresh.revokeSubject(next.subject);
            throw new GridbusError('UNAUTHORIZED', 'Authentication failed: the operator is disabled', { details: { reason: 'operator disabled' } });
          }
          return operatorSession(next.subject, roles, next.refreshToken, next.family);
        },
      },
      /**
       * For the gateway (not routed): is this operator still there, enabled,
       * with which roles, and is the session of the token still open?
       * Gateways cache the answer briefly and forget it on OPERATOR_CHANGED.
       */
      operatorStatus: {
        visibility: 'public',
        params: { username: { type: 'string', min: 1, max: 64 }, sid: { type: 'string', min: 1, max: 64 }, $$strict: true },
        async handler(ctx: Context<{ username: string; sid: string }>) {
          const roles = await operators.rolesOf(ctx.params.username);
          if (!roles) return { active: false, roles: [], reason: 'operator unknown or disabled' };
          if (!(await refresh.isActive(ctx.params.username, ctx.params.sid, 'operator'))) return { active: false, roles, reason: 'session ended' };
          return { active: true, roles };
        },
      },
      /** A life-number user signs in with the auth code the mini program got from Alipay. */
      userLogin: {
        params: { authCode: { type: 'string', min: 1, max: 128 }, $$strict: true },
        async handler(ctx: Context<{ authCode: string }, Meta>) {
          let userId: string;
          try {
            ({ userId } = (await ctx.call('alipay.exchangeAuthCode', { authCode: ctx.params.authCode })) as { userId: string });
          } catch (err) {
            audit(ctx, 'anonymous', 'auth.user.login', 'denied', { reason: (err as GridbusError).data?.reason ?? (err as Error).name });
            throw err;
          }
          audit(ctx, userId, 'auth.user.login', 'success');
          return ctx.call('auth.issueUserSession', { userId });
        },
      },
      /** Starts a user session (after the Alipay auth code was exchanged). Internal: not routed. */
      issueUserSession: {
        visibility: 'public',
        params: { userId: { type: 'string', min: 1, max: 64 } },
        async handler(ctx: Context<{ userId: string }, Meta>) {
          return {
            accessToken: signAccessToken(config.auth, { sub: ctx.params.userId }, USER_ACCESS_TTL),
            tokenType: 'Bearer',
            expiresIn: USER_ACCESS_TTL,
            refreshToken: await refresh.issue(ctx.params.userId, 'user'),
          };
        },
      },
      userRefresh: {
        params: { refreshToken: { type: 'string', min: 20, max: 200 }, $$strict: true },
        async handler(ctx: Context<{ refreshToken: string }, Meta>) {
          const next = await refresh.rotate(ctx.params.refreshToken, 'user').catch((err) => {
            audit(ctx, 'anonymous', 'auth.refresh.rejected', 'denied', { kind: 'user', reason: (err as GridbusError).data?.reason });
            throw err;
          });
          return { accessToken: signAccessToken(config.auth, { sub: next.subject }, USER_ACCESS_TTL), tokenType: 'Bearer', expiresIn: USER_ACCESS_TTL, refreshToken: next.refreshToken };
        },
      },
      /** Ends the session of the refresh token: its refresh tokens, and (broadcast to the gateways) its access tokens. */
      logout: {
        params: { refreshToken: { type: 'string', min: 20, max: 200 }, $$strict: true },
        async handler(ctx: Context<{ refreshToken: string }, Meta>) {
          return { revoked: await refresh.revoke(ctx.params.refreshToken) };
        },
      },
      createOperator: {
        params: {
          username: { type: 'string', min: 3, max: 32 },
          password: { type: 'string', min: 12, max: 256 },
          roles: { type: 'array', items: { type: 'enum', values: [...ROLES] }, min: 1 },
          $$strict: true,
        },
        async handler(ctx: Context<{ username: string; password: string; roles: Role[] }, Meta>) {
          const created = await operators.create(ctx.params.username, ctx.params.password, ctx.params.roles);
          audit(ctx, ctx.meta.user?.id ?? 'system', 'auth.operator.created', 'success', { username: created.username, roles: created.roles });
          return created;
        },
      },
      /** PATCH /admin/api/operators/:username: disable (ends every session at once) or enable an operator, or change its roles. */
      updateOperator: {
        params: {
          username: { type: 'string', min: 3, max: 32 },
          enabled: { type: 'boolean', optional: true },
          roles: { type: 'array', items: { type: 'enum', values: [...ROLES] }, min: 1, optional: true },
          $$strict: true,
        },
        async handler(ctx: Context<{ username: string; enabled?: boolean; roles?: Role[] }, Meta>) {
          const { username, enabled, roles } = ctx.params;
          if (enabled === undefined && roles === undefined) throw new GridbusError('VALIDATION_FAILED', 'say what to change: enabled and/or roles', { details: { field: 'enabled' } });
          if (username === ctx.meta.user?.id && (enabled === false || (roles && !roles.includes('admin')))) {
            throw new GridbusError('VALIDATION_FAILED', 'an operator may not disable itself or take its own admin role', { details: { field: 'username' } });
          }
          const updated = await operators.update(username, { enabled, roles });
          if (!updated) throw new GridbusError('NOT_FOUND', `no operator '${username}'`);
          if (enabled === false) await refresh.revokeSubject(username);
          operatorChanged(username);
          audit(ctx, ctx.meta.user?.id ?? 'system', 'auth.operator.updated', 'success', { username, enabled: updated.enabled, roles: updated.roles });
          return updated;
        },
      },
    },
    created() {
      const broker = this.broker;
      operatorChanged = (username) => {
        broker.broadcast(OPERATOR_CHANGED, { username }, 'api').catch((err: Error) => this.logger.warn(`could not broadcast ${OPERATOR_CHANGED}: ${err.message}`));
      };
    },
    stopped() {
      if (forgetTimer) clearInterval(forgetTimer);
    },
    /** The first operator: from ADMIN_BOOTSTRAP_PASSWORD, or (embedded default) a generated password in VAR_DIR. */
    async started() {
      // rows of forgotten failures (login-throttle.ts), dropped now and then
      forgetTimer = setInterval(() => void throttle.forgetOld().catch((err: Error) => this.logger.warn(`login throttle clean-up: ${err.message}`)), 10 * 60_000);
      forgetTimer.unref();
      if ((await operators.count()) > 0) return;
      const { username, password } = config.adminBootstrap;
      if (password) {
        await operators.create(username, password, ['admin']);
        this.logger.info(`first operator '${username}' created from ADMIN_BOOTSTRAP_PASSWORD`);
      } else if (isEmbeddedDefault(config)) {
        const generated = randomBytes(12).toString('base64url');
        await operators.create(username, generated, ['admin']);
        const file = path.join(config.varDir, 'first-operator-password.txt');
        fs.mkdirSync(config.varDir, { recursive: true });
        fs.writeFileSync(file, `${username}\n${generated}\n`, { mode: 0o600 });
        this.logger.info(`first operator '${username}' created; its password is in ${file}`);
      } else {
        this.logger.warn('no operator account exists: set ADMIN_BOOTSTRAP_PASSWORD (and ADMIN_BOOTSTRAP_USER) to create the first one');
      }
    },
  };
}
