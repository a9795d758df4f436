import { Context, Middleware } from 'moleculer';
import { toErrorView } from '../errors';

/** Actions too chatty or too internal to log on every call. */
const QUIET = /^(\$|health\.|api\.|gateway\.)/;

/**
 * One log line per action call with the request id, so a request can be
 * followed from the gateway through every node it touches. Parameters are
 * never logged: they may carry personal data.
 */
export function requestLogMiddleware(options: { info: boolean } = { info: true }): Middleware {
  return {
    name: 'RequestLog',
    localAction(next: (ctx: Context) => Promise<unknown>, action: { name: string }) {
      if (QUIET.test(action.name)) return next;
      if (!options.info) {
        // LOG_LEVEL above info: only failures of ours or the back office's are worth a line
        return function loggedIfFailed(this: unknown, ctx: Context) {
          const started = process.hrtime.bigint();
          return next(ctx).catch((err: unknown) => {
            const view = toErrorView(err);
            if (view.status >= 500) {
              const ms = (Number(process.hrtime.bigint() - started) / 1e6).toFixed(1);
              (ctx.service?.logger ?? ctx.broker.logger).warn(`req=${ctx.requestID} action=${action.name} outcome=${view.code} ms=${ms}`);
            }
            throw err;
          });
        };
      }
      return function logged(this: unknown, ctx: Context) {
        const started = process.hrtime.bigint();
        const logger = ctx.service?.logger ?? ctx.broker.logger;
        const ms = () => (Number(process.hrtime.bigint() - started) / 1e6).toFixed(1);
        return next(ctx).then(
          (result) => {
            logger.info(`req=${ctx.requestID} action=${action.name} outcome=ok ms=${ms()}`);
            return result;
          },
          (err: unknown) => {
            const view = toErrorView(err);
            // A refused request is routine; only our or the back office's failures warn.
            const line = `req=${ctx.requestID} action=${action.name} outcome=${view.code} ms=${ms()}`;
            if (view.status >= 500) logger.warn(line);
            else logger.info(line);
            throw err;
          },
        );
      };
    },
  } as unknown as Middleware;
}
