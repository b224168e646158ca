import { getKosha, type Kosha, type SessionScope, type SessionScopeOptions } from '@kosha/core';
import type {
  FastifyInstance,
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  onErrorHookHandler,
  onRequestHookHandler,
  onSendHookHandler,
  preValidationHookHandler,
} from 'fastify';
import fp from 'fastify-plugin';
import { type DbPluginOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { RequestSession } from './request-session.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The request's Kosha session scope (`commit()`, `rollback()`, `rollbackOnly`, `active`), or `null` when
     * `skip` let the request through without one. Commit it yourself before `reply.hijack()`.
     */
    readonly dbSession: SessionScope | null;
  }
}

const STATE = Symbol('kosha.requestSession');

interface KoshaRequest extends FastifyRequest {
  [STATE]: RequestSession | null;
}

function discard(payload: unknown): void {
  const p = payload as { destroy?: () => void; cancel?: () => Promise<void> } | null;
  if (typeof p?.destroy === 'function') p.destroy();
  else if (typeof p?.cancel === 'function') p.cancel().catch(() => {});
}

/**
 * The app's answer to a failed commit, taken like an error handler's: sent through the reply, or returned
 * (a promise of it too). The onSend run that got here is dropped: the answer's own send runs onSend again,
 * where koshaCommitBeforeSend only keeps its status an error. A throw or a rejection goes on down that run,
 * to the error handler.
 */
function answerCommitFailure(
  answer: NonNullable<ResolvedOptions['onCommitError']>,
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  next: HookHandlerDoneFunction,
): void {
  // As Fastify's error handling does: the answer's content type is its own, and its length is measured anew.
  reply.removeHeader('content-type');
  reply.removeHeader('content-length');
  let result: unknown;
  try {
    result = answer(error, request, reply);
  } catch (answerError) {
    next(answerError as Error);
    return;
  }
  if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
    (result as PromiseLike<unknown>).then(
      (body) => {
        if (body !== undefined) reply.send(body);
      },
      (answerError: unknown) => next(answerError as Error),
    );
  } else if (result !== undefined) reply.send(result);
}

// A callback plugin reports errors through `done`: a throw would escape Fastify's start-up.
const koshaDb: FastifyPluginCallback<DbPluginOptions> = (fastify, options, done) => {
  try {
    install(fastify, resolveOptions(options));
  } catch (error) {
    done(error as Error);
    return;
  }
  done();
};

function install(fastify: FastifyInstance, o: ResolvedOptions): void {
  const sessionOptions: SessionScopeOptions = { transaction: o.transaction, isolation: o.isolation };

  fastify.decorateRequest('dbSession', {
    getter(this: FastifyRequest) {
      return (this as KoshaRequest)[STATE]?.scope ?? null;
    },
  });
  fastify.decorateRequest(STATE, null);

  const koshaOpenSession: onRequestHookHandler = function koshaOpenSession(request, reply, next) {
    if (o.skip?.(request)) {
      next();
      return;
    }
    let kosha: Kosha;
    try {
      kosha = o.kosha ?? getKosha();
    } catch (error) {
      next(error as Error);
      return;
    }
    const start = (scope: SessionScope): void => {
      // The client left while the session was opening: nobody is waiting for an answer.
      if (reply.raw.destroyed) {
        void scope.close();
        reply.hijack();
        next();
        return;
      }
      (request as KoshaRequest)[STATE] = new RequestSession(scope, o, reply.raw);
      scope.run(next);
    };
    // Without a promise in the common case: the handler runs in the tick the request arrived in. An error
    // comes back as a rejected promise.
    const opened = kosha.openSessionNow(sessionOptions);
    if (opened instanceof Promise) opened.then(start, next);
    else start(opened);
  };

  // Fastify keeps the request's async context through body parsing, but a hook of another plugin that calls
  // back from elsewhere (a callback-style client with its own pool) loses it for everything after: re-enter
  // it here, as @fastify/request-context does, so preValidation, preHandler and the handler see the session.
  const koshaRebindSession: preValidationHookHandler = function koshaRebindSession(request, _reply, next) {
    const state = (request as KoshaRequest)[STATE];
    if (state === null) next();
    else state.scope.run(next);
  };

  const koshaMarkFailed: onErrorHookHandler = function koshaMarkFailed(request, _reply, _error, next) {
    const state = (request as KoshaRequest)[STATE];
    if (state !== null) state.errored = true;
    next();
  };

  // The payload is serialized (or is a stream) but nothing is written yet: settle the transaction and close
  // the session now (in mode 'method' there is nothing to commit, but work left running must not get it).
  const koshaCommitBeforeSend: onSendHookHandler = function koshaCommitBeforeSend(
    request,
    reply,
    payload,
    next,
  ) {
    const state = (request as KoshaRequest)[STATE];
    if (state === null) {
      next();
      return;
    }
    if (state.sent) {
      // The error reply of a failed commit: never a success status.
      if (state.commitFailed && reply.statusCode < 400) reply.code(500);
      next();
      return;
    }
    state.sent = true;
    const settling = state.settle(reply.statusCode);
    if (settling === undefined) {
      next();
      return;
    }
    settling.then(
      () => next(),
      (error: Error) => {
        discard(payload);
        reply.code(500);
        if (o.onCommitError === undefined) next(error);
        else answerCommitFailure(o.onCommitError, error, request, reply, next);
      },
    );
  };

  fastify.addHook('onRequest', koshaOpenSession);
  fastify.addHook('preValidation', koshaRebindSession);
  fastify.addHook('onError', koshaMarkFailed);
  fastify.addHook('onSend', koshaCommitBeforeSend);
}

/**
 * Fastify 5 plugin: a Kosha session per request, bound to the async context for the hooks and the handler.
 * In `mode: 'request'` (default) the request runs in one transaction that `@transactional` code joins; it
 * is committed in `onSend`, before the reply is written — or rolled back after an error or on a 5xx — and a
 * failed commit goes to the error handler (or `onCommitError`) and becomes a 5xx. The session is always
 * closed: before the reply is written, or when the client leaves first (then the transaction rolls back).
 * Decorates `request.dbSession`.
 *
 * ```ts
 * const app = Fastify();
 * await app.register(dbPlugin, { skip: (request) => request.url === '/health' });
 * app.post('/users', async (request) => users.save(request.body as User));
 * ```
 * @throws ConfigError (when registered) if an option is invalid.
 */
export const dbPlugin = fp(koshaDb, { name: '@kosha/http-fastify', fastify: '5.x' });
