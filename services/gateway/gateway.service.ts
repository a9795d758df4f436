import type { IncomingMessage, ServerResponse } from 'http';
import { randomUUID } from 'crypto';
import { Context, ServiceSchema } from 'moleculer';
import ApiGateway from 'moleculer-web';
import { verifyAccessToken } from '../../core/auth';
import { GridbusError } from '../../core/errors';
import { renderPrometheus } from '../../core/metrics/prometheus-text';
import { ServiceDeps } from '../service-deps';
import { sendError } from './error-response';
import { clusterReadiness } from './readiness';
import { requestIdFor } from './request-id';

type Req = IncomingMessage & { $ctx?: Context; $requestId?: string; $startedAt?: bigint };
type Res = ServerResponse;

/**
 * The only entrance from the dedicated line. Routes map onto service actions;
 * every failure leaves as `{ code, message, requestId }`.
 */
export function createGatewayService(deps: ServiceDeps): ServiceSchema {
  const { config } = deps;
  const jsonBody = { json: { strict: true, limit: '64kb' }, urlencoded: false };

  return {
    name: 'api',
    mixins: [ApiGateway],
    settings: {
      port: config.http.port,
      ip: config.http.host,
      log4XXResponses: false,
      logRequest: null,
      logResponse: null,
      // Access log: one line per HTTP request, with the request id.
      use: [
        function accessLog(this: { logger: { info: (m: string) => void } }, req: Req, res: Res, next: () => void) {
          req.$startedAt = process.hrtime.bigint();
          res.on('finish', () => {
            const ms = (Number(process.hrtime.bigint() - (req.$startedAt ?? 0n)) / 1e6).toFixed(1);
            const path = ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0];
            this.logger.info(`req=${res.getHeader('X-Request-ID') ?? req.$requestId} http ${req.method} ${path} status=${res.statusCode} ms=${ms}`);
          });
          next();
        },
      ],
      rootCallOptions(options: Record<string, unknown>, req: Req) {
        req.$requestId = requestIdFor(req);
        options.requestID = req.$requestId;
      },
      onError(this: { logger: { error: (m: string) => void } }, req: Req, res: Res, err: unknown) {
        const view = sendError(req, res, err, req.$requestId ?? randomUUID());
        if (view.status >= 500) {
          this.logger.error(`req=${res.getHeader('X-Request-ID')} ${view.code}: ${(err as Error)?.message ?? String(err)}`);
        }
      },
      routes: [
        {
          path: '/health',
          mappingPolicy: 'restrict',
          bodyParsers: false,
          aliases: {
            async 'GET /live'(this: { sendJson: (res: Res, status: number, body: unknown) => void }, _req: Req, res: Res) {
              this.sendJson(res, 200, { status: 'up', nodeId: config.nodeId });
            },
            async 'GET /'(this: { broker: never; sendJson: (res: Res, status: number, body: unknown) => void }, _req: Req, res: Res) {
              const readiness = await clusterReadiness(this.broker);
              this.sendJson(res, readiness.status === 'down' ? 503 : 200, readiness);
            },
          },
        },
        {
          path: '/metrics',
          mappingPolicy: 'restrict',
          bodyParsers: false,
          aliases: {
            'GET /'(this: { broker: { metrics: { list: () => unknown[] } } }, _req: Req, res: Res) {
              res.setHeader('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
              res.end(renderPrometheus(this.broker.metrics.list() as never, { node: config.nodeId }));
            },
          },
        },
        {
          path: '/api/v1',
          mappingPolicy: 'restrict',
          authentication: true,
          bodyParsers: jsonBody,
          aliases: {
            'GET accounts/:accountNo/arrears': 'billing.getArrears',
            'POST arrears/query': 'billing.getArrears',
          },
        },
        {
          // Operators. Interim rule until operator accounts exist: a token with scope `admin`.
          path: '/admin/api',
          mappingPolicy: 'restrict',
          authentication: true,
          authorization: true,
          bodyParsers: { json: { strict: true, limit: '2mb' }, urlencoded: false },
          aliases: {
            'GET mappings/active': 'mappings.active',
            'GET mappings/releases': 'mappings.releases',
            'GET mappings/releases/:version': 'mappings.release',
            'GET mappings/exchanges/:operation': 'mappings.exchanges',
            'POST mappings/validate': 'mappings.validate',
            'POST mappings/diff': 'mappings.diff',
            'POST mappings/dry-run': 'mappings.dryRun',
            'POST mappings/publish': 'mappings.publish',
            'POST mappings/rollback': 'mappings.rollback',
          },
        },
      ],
    },
    methods: {
      // moleculer-web's default logs a stack per failed request; onError logs one line instead.
      errorHandler(this: { sendError: (req: Req, res: Res, err: unknown) => void }, req: Req, res: Res, err: unknown) {
        this.sendError(req, res, err);
      },
      sendJson(_res: Res, status: number, body: unknown) {
        const res = _res;
        res.statusCode = status;
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.end(JSON.stringify(body));
      },
      async authorize(ctx: Context<unknown, { user?: { id: string; scope?: string } }>, _route: unknown, req: Req) {
        const scopes = (ctx.meta.user?.scope ?? '').split(' ');
        if (scopes.includes('admin')) return;
        ctx.emit('audit.event', {
          actor: ctx.meta.user?.id ?? 'anonymous',
          action: 'auth.forbidden',
          outcome: 'denied',
          target: ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0],
          sourceIp: req.socket.remoteAddress ?? null,
          requestId: ctx.requestID,
          nodeId: config.nodeId,
        });
        throw new GridbusError('FORBIDDEN', 'This operation needs an operator token with the admin scope');
      },
      async authenticate(ctx: Context, _route: unknown, req: Req) {
        const header = req.headers.authorization;
        const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
        try {
          if (!token) throw new GridbusError('UNAUTHORIZED', 'Authentication required: send Authorization: Bearer <token>', { details: { reason: 'token missing' } });
          const claims = verifyAccessToken(config.auth, token);
          return { id: claims.sub, scope: claims.scope };
        } catch (err) {
          const reason = (err as GridbusError).data?.reason ?? 'token invalid';
          ctx.emit('audit.event', {
            actor: 'anonymous',
            action: 'auth.token.rejected',
            outcome: 'denied',
            target: (req.url ?? '').split('?')[0],
            sourceIp: req.socket.remoteAddress ?? null,
            requestId: ctx.requestID,
            nodeId: config.nodeId,
            details: { reason },
          });
          throw err;
        }
      },
    },
  };
}
