import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';
import { Context, ServiceSchema } from 'moleculer';
import { RefreshTokens, signAccessToken, signOperatorToken } from '../../core/auth';
import { GridbusError } from '../../core/errors';
import { requireDep, ServiceDeps } from '../service-deps';
import { OperatorAccounts, Role } from './operator-accounts';

type Meta = { user?: { id: string; roles?: string[] } | null; clientIp?: string };

const USER_ACCESS_TTL = 900;
const OPERATOR_ACCESS_TTL = 3600;

/**
 * Sessions: operators log in with a password; users' sessions start from an
 * Alipay auth code (elsewhere) and continue with refresh tokens here.
 * Every login and refusal is audited.
 */
export function createAuthService(deps: ServiceDeps): ServiceSchema {
  const ds = requireDep(deps.dataSource, 'the database', 'auth');
  const { config } = deps;
  const operators = new OperatorAccounts(ds);
  const refresh = new RefreshTokens(ds);

  const audit = (ctx: Context<unknown, Meta>, actor: string, action: string, outcome: 'success' | 'denied', details?: Record<string, unknown>) =>
    ctx.emit('audit.event', { actor, action, outcome, sourceIp: ctx.meta.clientIp ?? null, requestId: ctx.requestID, nodeId: config.nodeId, details: details ?? null });

  async function operatorSession(username: string, roles: Role[], refreshToken: string) {
    return {
      accessToken: signOperatorToken(config.auth, { sub: username, roles }, OPERATOR_ACCESS_TTL),
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
          const result = await operators.authenticate(ctx.params.username, ctx.params.password);
          if ('refused' in result) {
            audit(ctx, ctx.params.username.slice(0, 64), 'auth.operator.login', 'denied', { reason: result.refused });
            throw new GridbusError('UNAUTHORIZED', result.refused === 'locked' ? 'Too many failed logins: the account is locked for a while' : 'Wrong user name or password', {
              details: { reason: result.refused === 'locked' ? 'account locked' : 'bad credentials' },
            });
          }
          audit(ctx, result.username, 'auth.operator.login', 'success');
          return operatorSession(result.username, result.roles, await refresh.issue(result.username, 'operator'));
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
          return operatorSession(next.subject, roles, next.refreshToken);
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
          roles: { type: 'array', items: { type: 'enum', values: ['admin', 'operator', 'auditor'] }, min: 1 },
          $$strict: true,
        },
        async handler(ctx: Context<{ username: string; password: string; roles: Role[] }, Meta>) {
          const created = await operators.create(ctx.params.username, ctx.params.password, ctx.params.roles);
          audit(ctx, ctx.meta.user?.id ?? 'system', 'auth.operator.created', 'success', { username: created.username, roles: created.roles });
          return created;
        },
      },
    },
    /** The first operator: from ADMIN_BOOTSTRAP_PASSWORD, or (embedded default) a generated password in VAR_DIR. */
    async started() {
      if ((await operators.count()) > 0) return;
      const { username, password } = config.adminBootstrap;
      if (password) {
        await operators.create(username, password, ['admin']);
        this.logger.info(`first operator '${username}' created from ADMIN_BOOTSTRAP_PASSWORD`);
      } else if (!config.database.url) {
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
