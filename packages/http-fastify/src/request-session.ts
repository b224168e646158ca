import type { ServerResponse } from 'node:http';
import type { SessionScope } from '@kosha/core';
import type { ResolvedOptions } from './options.js';

const SESSION = Symbol('kosha.requestSession');

interface SessionResponse extends ServerResponse {
  [SESSION]: RequestSession;
}

const ENDED = 'its request ended';
const GONE = 'its client went away';

function onResponseClose(this: SessionResponse): void {
  this[SESSION].responseClosed(this);
}

/**
 * The session of one request. In `onSend`, before the reply is written, its transaction (`mode: 'request'`)
 * is committed — or rolled back after an error or on a rollback status — and the session closed; in
 * `mode: 'method'` there is nothing to commit, but the session is closed all the same, so work the request
 * leaves running takes the background path. When the client leaves first, the response's `close` rolls
 * back and closes it.
 */
export class RequestSession {
  /** The session scope (`request.dbSession`). */
  readonly scope: SessionScope;
  /** An error was thrown while handling the request (`onError`): the transaction rolls back. */
  errored = false;
  /** The commit failed: the error reply that follows must not carry a success status. */
  commitFailed = false;
  /** `onSend` ran once: later `onSend` calls are for the error reply of a failed commit. */
  sent = false;
  readonly #options: ResolvedOptions;
  #settling = false;

  constructor(scope: SessionScope, options: ResolvedOptions, res: ServerResponse) {
    this.scope = scope;
    this.#options = options;
    // Node emits `close` on every response, finished or aborted; onRequestAbort misses an abort once the
    // body was read, and onResponse only follows a finished response.
    (res as SessionResponse)[SESSION] = this;
    res.on('close', onResponseClose);
  }

  /**
   * Commits or rolls back, then closes the session. The reply waits for the promise it returns (`undefined`:
   * nothing to wait for), which rejects with the commit's error.
   */
  settle(statusCode: number): Promise<void> | undefined {
    const scope = this.scope;
    const outcome = { statusCode, failed: this.errored, rollbackOn: this.#options.rollbackOn };
    // The client left before the handler answered (closed already), `mode: 'method'` (nothing to commit),
    // or a transaction that ran nothing (answered from the cache) and has just ended: close() takes the
    // session out of the context at once, and nothing needs to wait for it.
    if (!scope.active || !this.#options.transaction || scope.finishNow(outcome)) {
      void scope.close(ENDED);
      return undefined;
    }
    this.#settling = true;
    // Once the transaction has ended its connection is back in the pool: the reply need not wait for close().
    // If it has not ended (rollbackOn threw), close() rolls it back.
    return scope.finish(outcome).then(
      () => this.#ended(),
      (error: unknown) => {
        this.commitFailed = true;
        this.#ended();
        throw error;
      },
    );
  }

  #ended(): void {
    this.#settling = false;
    void this.scope.close(ENDED);
  }

  /** The response closed: finished, or the client left. A commit in progress closes the session itself. */
  responseClosed(res: ServerResponse): void {
    if (!this.#settling) void this.scope.close(res.writableFinished ? ENDED : GONE);
  }
}
