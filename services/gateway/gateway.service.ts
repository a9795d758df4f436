import { randomUUID } from 'crypto';
import type { RequestListener } from 'http';
import { ServiceBroker, ServiceSchema } from 'moleculer';
import ApiGateway from 'moleculer-web';
import { ServiceDeps } from '../service-deps';
import { AccessEvents, AliasResolver } from './access-events';
import { authenticateBearer, authenticateOperator, authorizeOperator } from './auth/bearer-auth';
import { operatorStatusEvents } from './auth/operator-status';
import { banAdmin } from './ban-admin';
import { sendError } from './error-response';
import { GatewayPolicies, translateFrameworkError } from './policies';
import { requestIdFor } from './request-id';
import { ADMIN_ACTION_ROLES, adminRoute, adminSessionRoute } from './routes/admin.route';
import { alipayRoute } from './routes/alipay.route';
import { apiV1Route } from './routes/api-v1.route';
import { healthRoute } from './routes/health.route';
import { metricsRoute } from './routes/metrics.route';
import { openApiRoute } from './routes/openapi.route';
import { userSessionRoute } from './routes/session.route';
import { GatewayRequest as Req, GatewayResponse as Res, pathOf } from './types';

/**
 * The only entrance from the dedicated line. Route groups live in routes/,
 * authentication in auth/, security policies in policies/ (docs/security.md);
 * every failure leaves as `{ code, message, requestId }`.
 */
export function createGatewayService(deps: ServiceDeps): ServiceSchema {
  const { config } = deps;
  const policies = new GatewayPolicies(config);
  const bans = banAdmin(policies, config.nodeId);
  // one access event per request, emitted in batches to the statistics (docs/statistics.md)
  const accessEvents = new AccessEvents(config.nodeId);
  // the access log line is built only when it will be written
  const logAccess = ['info', 'debug', 'trace'].includes(config.logLevel);

  return {
    name: 'api',
    mixins: [ApiGateway],
    settings: {
      port: config.http.port,
      ip: config.http.host,
      log4XXResponses: false,
      logRequest: null,
      logResponse: null,
      // Parameters and answers may carry personal data: never in the logs, whatever the level.
      logRequestParams: null,
      logResponseData: null,
      // Access log: one line per HTTP request, with the request id; and its access event for the statistics.
      use: [
        function accessLog(this: AliasResolver & { logger: { info: (m: string) => void } }, req: Req, res: Res, next: () => void) {
          req.$startedAt = process.hrtime.bigint();
          res.on('finish', () => {
            const ms = Number(process.hrtime.bigint() - (req.$startedAt ?? 0n)) / 1e6;
            if (logAccess) this.logger.info(`req=${res.getHeader('X-Request-ID') ?? req.$requestId} http ${req.method} ${pathOf(req)} status=${res.statusCode} ms=${ms.toFixed(1)}`);
            accessEvents.record(req, res, ms, this);
          });
          next();
        },
      ],
      rootCallOptions(options: Record<string, unknown>, req: Req) {
        req.$requestId = requestIdFor(req);
        options.requestID = req.$requestId;
        // X-Forwarded-For believed only from GATEWAY_TRUSTED_PROXIES
        req.$clientIp = policies.clientIp(req);
        // Services audit with the caller's address (after trusted-proxy resolution when a policy set it).
        options.meta = { ...((options.meta as object) ?? {}), clientIp: req.$clientIp ?? req.socket.remoteAddress ?? null };
        // a client's retry key (POST /api/v1/payments): the service checks its form
        const key = req.headers['idempotency-key'];
        if (typeof key === 'string') (options.meta as Record<string, unknown>).idempotencyKey = key;
      },
      onError(this: { logger: { error: (m: string) => void } }, req: Req, res: Res, err: unknown) {
        const view = sendError(req, res, translateFrameworkError(err), req.$requestId ?? randomUUID());
        if (view.status >= 500) {
          this.logger.error(`req=${res.getHeader('X-Request-ID')} ${view.code}: ${(err as Error)?.message ?? String(err)}`);
        }
      },
      routes: [healthRoute(config), metricsRoute(config), apiV1Route(config), adminSessionRoute(config), adminRoute(config), userSessionRoute(config), openApiRoute(config), alipayRoute(config)].map((route) =>
        policies.route(route),
      ),
    },
    // Breakers of every node: the gateway refuses at once while an operation a route depends on is open.
    events: { ...policies.circuitEvents(), ...bans.events, ...operatorStatusEvents },
    // operators list and lift IP bans (routes/admin.route.ts)
    actions: bans.actions,
    created(this: { broker: ServiceBroker; logger: { info: (m: string) => void; warn: (m: string) => void } }) {
      policies.open(this.broker, this.logger, deps.health);
      accessEvents.open(this.broker, this.logger);
    },
    async stopped() {
      await accessEvents.close();
      await policies.close();
    },
    methods: {
      // moleculer-web's server, with the header flood limits (GATEWAY_MAX_HEADERS, GATEWAY_MAX_HEADER_BYTES).
      // Plain HTTP only: TLS ends at the dedicated line's proxy in front of the gateway.
      createServer(this: { server: unknown; isHTTPS: boolean; httpHandler: RequestListener; settings: { httpServerTimeout?: number | null; requestTimeout: number } }) {
        const server = policies.createServer(this.httpHandler);
        if (this.settings.httpServerTimeout) server.setTimeout(this.settings.httpServerTimeout);
        server.requestTimeout = this.settings.requestTimeout;
        this.server = server;
        this.isHTTPS = false;
      },
      // moleculer-web's default logs a stack per failed request; onError logs one line instead.
      errorHandler(this: { sendError: (req: Req, res: Res, err: unknown) => void }, req: Req, res: Res, err: unknown) {
        this.sendError(req, res, err);
      },
      sendJson(res: Res, status: number, body: unknown) {
        res.statusCode = status;
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.end(JSON.stringify(body));
      },
      // the policy pipeline checks the token before the body is read; moleculer-web's call gets that answer
      authenticate: policies.authenticateOnce(authenticateBearer(config)),
      authenticateOperator: policies.authenticateOnce(authenticateOperator(config)),
      // the policies run for the alias moleculer-web found (a preflight's: the method it names), never one looked up apart
      routeHandler: policies.routeHandler((ApiGateway as unknown as { methods: { routeHandler: Parameters<GatewayPolicies['routeHandler']>[0] } }).methods.routeHandler),
      authorizeOperator: authorizeOperator(config, ADMIN_ACTION_ROLES),
    },
  };
}
