import type { ServerResponse } from 'node:http';
import { commitFailureResponse, type Logger, type SessionScope } from '@kosha/core';
import type { Request, Response } from 'express';
import type { ResolvedOptions } from './options.js';
import { type GateKeeper, ResponseGate } from './response-gate.js';

const SESSION = Symbol('kosha.requestSession');

interface SessionResponse extends Response {
  [SESSION]: RequestSession;
}

const ENDED = 'its request ended';
const GONE = 'its client went away';

function onResponseClose(this: SessionResponse): void {
  this[SESSION].responseClosed(this);
}

/**
 * The session of one request. When the response's first byte is about to leave, its transaction (`mode:
 * 'request'`) is committed or rolled back and the session closed — in `mode: 'method'` there is nothing to
 * commit, but the session is closed all the same, so work the request leaves running takes the background
 * path. When the client leaves first, the transaction is rolled back and the session closed.
 */
export class RequestSession implements GateKeeper {
  readonly #scope: SessionScope;
  readonly #req: Request;
  readonly #options: ResolvedOptions;
  readonly #logger: Logger;
  readonly #gate: ResponseGate;

  constructor(scope: SessionScope, req: Request, res: Response, options: ResolvedOptions, logger: Logger) {
    this.#scope = scope;
    this.#req = req;
    this.#options = options;
    this.#logger = logger;
    this.#gate = new ResponseGate(res, this);
  }

  beforeFirstByte(statusCode: number): Promise<void> | undefined {
    const scope = this.#scope;
    const outcome = { statusCode, rollbackOn: this.#options.rollbackOn };
    // The client left before the handler answered (closed already), `mode: 'method'` (nothing to commit),
    // or a transaction that ran nothing (answered from the cache) and has just ended: close() takes the
    // session out of the context at once, and nothing needs to wait for it.
    if (!scope.active || !this.#options.transaction || scope.finishNow(outcome)) {
      void scope.close(ENDED);
      return undefined;
    }
    // Once the transaction has ended its connection is back in the pool: the response need not wait for
    // close(). If it has not ended (rollbackOn threw), close() rolls it back.
    return scope.finish(outcome).finally(() => void scope.close(ENDED));
  }

  /** The request, for log lines: method and path, never the query string (it may carry tokens). */
  #where(): string {
    return `${this.#req.method} ${this.#req.originalUrl.split('?')[0]}`;
  }

  replace(error: unknown, res: ServerResponse): void {
    const answer = this.#options.onCommitError;
    if (answer) {
      try {
        answer(error, this.#req, res as Response);
        return;
      } catch (answerError) {
        this.#logger.error(`${this.#where()}: onCommitError threw`, answerError);
        if (res.headersSent) throw answerError;
      }
    }
    this.#logger.error(`${this.#where()}: the commit failed; answering 500`, error);
    const answer500 = commitFailureResponse(error);
    res.statusCode = answer500.statusCode;
    const body = JSON.stringify(answer500.body);
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
  }

  replayFailed(error: unknown): void {
    this.#logger.error(`${this.#where()}: writing the response failed`, error);
  }

  /** The response closed: finished, or the client left. A commit in progress closes the session itself. */
  responseClosed(res: Response): void {
    // Closed before it finished: the client went away, and whatever the handler still runs is abandoned.
    if (!this.#gate.holding) void this.#scope.close(res.writableFinished ? ENDED : GONE);
  }

  /** True when a request session is already watching this response (the middleware is mounted twice). */
  static watching(res: Response): boolean {
    return (res as Partial<SessionResponse>)[SESSION] !== undefined;
  }

  /** Listens for the response's `close` (one shared listener; `this` is the response). */
  static watch(res: Response, session: RequestSession): void {
    (res as SessionResponse)[SESSION] = session;
    res.on('close', onResponseClose);
  }
}
