import { randomUUID } from 'crypto';
import { ServiceSchema } from 'moleculer';
import ApiGateway from 'moleculer-web';
import { ServiceDeps } from '../service-deps';
import { authenticateBearer, authenticateOperator, authorizeOperator } from './auth/bearer-auth';
import { sendError } from './error-response';
import { requestIdFor } from './request-id';
import { ADMIN_ACTION_ROLES, adminRoute, adminSessionRoute } from './routes/admin.route';
import { alipayRoute } from './routes/alipay.route';
import { apiV1Route } from './routes/api-v1.route';
import { healthRoute } from './routes/health.route';
import { metricsRoute } from './routes/metrics.route';
import { userSessionRoute } from './routes/session.route';
import { GatewayRequest as Req, GatewayResponse as Res, pathOf } from './types';

/**
 * The only entrance from the dedicated line. Route groups live in routes/,
 * authentication in auth/; every failure leaves as `{ code, message, requestId }`.
 */
export function createGatewayService(deps: ServiceDeps): ServiceSchema {
  const { config } = deps;

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
            this.logger.info(`req=${res.getHeader('X-Request-ID') ?? req.$requestId} http ${req.method} ${pathOf(req)} status=${res.statusCode} ms=${ms}`);
          });
          next();
        },
      ],
      rootCallOptions(options: Record<string, unknown>, req: Req) {
        req.$requestId = requestIdFor(req);
        options.requestID = req.$requestId;
        // Services audit with the caller's address (after trusted-proxy resolution when a policy set it).
        options.meta = { ...((options.meta as object) ?? {}), clientIp: req.$clientIp ?? req.socket.remoteAddress ?? null };
      },
      onError(this: { logger: { error: (m: string) => void } }, req: Req, res: Res, err: unknown) {
        const view = sendError(req, res, err, req.$requestId ?? randomUUID());
        if (view.status >= 500) {
          this.logger.error(`req=${res.getHeader('X-Request-ID')} ${view.code}: ${(err as Error)?.message ?? String(err)}`);
        }
      },
      routes: [healthRoute(config), metricsRoute(config), apiV1Route(), adminSessionRoute(), adminRoute(), userSessionRoute(), alipayRoute(config)],
    },
    methods: {
      // moleculer-web's default logs a stack per failed request; onError logs one line instead.
      errorHandler(this: { sendError: (req: Req, res: Res, err: unknown) => void }, req: Req, res: Res, err: unknown) {
        this.sendError(req, res, err);
      },
      sendJson(res: Res, status: number, body: unknown) {
        res.statusCode = status;
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.end(JSON.stringify(body));
      },
      authenticate: authenticateBearer(config),
      authenticateOperator: authenticateOperator(config),
      authorizeOperator: authorizeOperator(config, ADMIN_ACTION_ROLES),
    },
  };
}
