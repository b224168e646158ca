import { getKosha, type Kosha, type SessionScope, type SessionScopeOptions } from '@kosha/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type DbMiddlewareOptions, resolveOptions } from './options.js';
import { RequestSession } from './request-session.js';

/**
 * Express 5 middleware: a Kosha session per request, bound to the async context for every middleware and
 * handler after it. In `mode: 'request'` (default) the request runs in one transaction that
 * `@transactional` code joins; it is committed before the first byte of the response leaves — or rolled
 * back on a 5xx — and a failed commit turns the response into a 5xx. The session is always closed: before
 * the response is written, or when the client leaves first (then the transaction rolls back).
 *
 * ```ts
 * const app = express();
 * app.use(dbMiddleware({ skip: (req) => req.path === '/health' }));
 * app.use(express.json());
 * app.post('/users', async (req, res) => { res.status(201).json(await users.save(req.body)); });
 * ```
 * @throws ConfigError when an option is invalid.
 */
export function dbMiddleware(options?: DbMiddlewareOptions): RequestHandler {
  const o = resolveOptions(options);
  const sessionOptions: SessionScopeOptions = { transaction: o.transaction, isolation: o.isolation };

  return function koshaSession(req: Request, res: Response, next: NextFunction): void {
    // Mounted twice (app and router): the request has its session; a second one would wait on the first.
    if (o.skip?.(req, res) || RequestSession.watching(res)) {
      next();
      return;
    }
    let kosha: Kosha;
    try {
      kosha = o.kosha ?? getKosha();
    } catch (error) {
      next(error);
      return;
    }
    const start = (scope: SessionScope): void => {
      // The client left while the session was opening: nobody is waiting for an answer.
      if (res.destroyed) {
        void scope.close();
        return;
      }
      RequestSession.watch(res, new RequestSession(scope, req, res, o, kosha.logger));
      scope.run(next);
    };
    // Without a promise in the common case: the handler runs in the tick the request arrived in. An error
    // comes back as a rejected promise.
    const opened = kosha.openSessionNow(sessionOptions);
    if (opened instanceof Promise) opened.then(start, next);
    else start(opened);
  };
}
