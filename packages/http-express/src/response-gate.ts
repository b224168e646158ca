import type { ServerResponse } from 'node:http';

/** What a {@link ResponseGate} asks of its owner. */
export interface GateKeeper {
  /**
   * Runs once, before the first byte of the response leaves. The response waits for the promise it returns
   * (`undefined`: nothing to wait for); a rejection means the response must be replaced.
   */
  beforeFirstByte(statusCode: number): Promise<void> | undefined;
  /** Writes the replacement response, synchronously, after `beforeFirstByte` rejected. */
  replace(error: unknown, res: ServerResponse): void;
  /** A held call failed when it was finally made (e.g. an invalid header): the handler can no longer see it. */
  replayFailed(error: unknown): void;
}

type Method = 'writeHead' | 'write' | 'end' | 'flushHeaders';
type Call = [Method, unknown[]];

const OPEN = 0; // nothing written yet
const HOLDING = 1; // the first write is held while the keeper settles the transaction
const PASS = 2; // settled: every call goes straight through
const REPLACING = 3; // the keeper writes the replacement response; a success status is refused
const DROPPING = 4; // the replacement is out: whatever the handler still writes is dropped

/** Headers that describe the handler's response; a replacement response must not inherit them. */
const RESPONSE_HEADERS = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-length',
  'content-location',
  'content-range',
  'content-type',
  'etag',
  'expires',
  'last-modified',
  'location',
  'set-cookie',
  'trailer',
  'transfer-encoding',
];

const GATE = Symbol('kosha.responseGate');

interface GatedResponse extends ServerResponse {
  [GATE]: ResponseGate;
}

/**
 * Holds a response's first `writeHead`, `write`, `end` or `flushHeaders` — and every call after it —
 * until its keeper has committed or rolled back, then makes them in order. If the keeper fails, the held
 * calls are dropped and the keeper writes a replacement; the handler's later writes are dropped too.
 * Node's `end()` sends its implicit header through `this.writeHead`, so that is gated as well.
 */
export class ResponseGate {
  #state = OPEN;
  #queue: Call[] | undefined;
  #needDrain = false;
  readonly #res: ServerResponse;
  readonly #keeper: GateKeeper;
  // The methods in place when the gate was installed: the prototype's, or another middleware's wrappers.
  readonly #originals: Record<Method, (...args: unknown[]) => unknown>;

  constructor(res: ServerResponse, keeper: GateKeeper) {
    this.#res = res;
    this.#keeper = keeper;
    const r = res as unknown as Record<Method, (...args: unknown[]) => unknown>;
    this.#originals = { writeHead: r.writeHead, write: r.write, end: r.end, flushHeaders: r.flushHeaders };
    (res as GatedResponse)[GATE] = this;
    r.writeHead = gatedWriteHead;
    r.write = gatedWrite;
    r.end = gatedEnd;
    r.flushHeaders = gatedFlushHeaders;
  }

  /** True while the first write is held (the keeper is committing). */
  get holding(): boolean {
    return this.#state === HOLDING;
  }

  /** @internal the gated methods' body. */
  call(method: Method, args: unknown[]): unknown {
    const res = this.#res;
    switch (this.#state) {
      case PASS:
        return this.#originals[method].apply(res, args);
      case OPEN: {
        const status = method === 'writeHead' && typeof args[0] === 'number' ? args[0] : res.statusCode;
        const settling = this.#keeper.beforeFirstByte(status);
        if (settling === undefined) {
          this.#state = PASS;
          return this.#originals[method].apply(res, args);
        }
        this.#state = HOLDING;
        this.#queue = [[method, args]];
        settling.then(
          () => this.#release(),
          (error: unknown) => this.#replaceWith(error),
        );
        return this.#held(method);
      }
      case HOLDING:
        this.#queue!.push([method, args]);
        return this.#held(method);
      case REPLACING:
        if (method === 'writeHead' && !((args[0] as number) >= 400)) {
          args[0] = 500;
          if (typeof args[1] === 'string') args[1] = undefined;
        }
        return this.#originals[method].apply(res, args);
      default:
        return this.#drop(method, args);
    }
  }

  #held(method: Method): unknown {
    if (method === 'write') {
      this.#needDrain = true;
      return false;
    }
    return method === 'flushHeaders' ? undefined : this.#res;
  }

  #drop(method: Method, args: unknown[]): unknown {
    const callback = args.findLast((a) => typeof a === 'function') as (() => void) | undefined;
    if (callback && method !== 'writeHead') process.nextTick(callback);
    if (method === 'write') return false;
    return method === 'flushHeaders' ? undefined : this.#res;
  }

  #release(): void {
    const res = this.#res;
    this.#state = PASS;
    const queue = this.#queue!;
    this.#queue = undefined;
    try {
      for (const [method, args] of queue) this.#originals[method].apply(res, args);
    } catch (error) {
      this.#keeper.replayFailed(error);
      res.destroy();
      return;
    }
    // Writes held while committing answered false (backpressure); tell the writer it may go on.
    if (this.#needDrain && !res.destroyed && !res.writableNeedDrain) res.emit('drain');
  }

  #replaceWith(error: unknown): void {
    const res = this.#res;
    this.#queue = undefined;
    if (res.destroyed) {
      this.#state = DROPPING;
      return;
    }
    this.#state = REPLACING;
    res.statusCode = 500;
    for (const name of RESPONSE_HEADERS) res.removeHeader(name);
    try {
      this.#keeper.replace(error, res);
      if (!res.writableEnded) res.end();
    } catch (replaceError) {
      this.#keeper.replayFailed(replaceError);
      res.destroy();
    } finally {
      this.#state = DROPPING;
    }
  }
}

function gatedWriteHead(this: GatedResponse, ...args: unknown[]) {
  return this[GATE].call('writeHead', args);
}
function gatedWrite(this: GatedResponse, ...args: unknown[]) {
  return this[GATE].call('write', args);
}
function gatedEnd(this: GatedResponse, ...args: unknown[]) {
  return this[GATE].call('end', args);
}
function gatedFlushHeaders(this: GatedResponse, ...args: unknown[]) {
  return this[GATE].call('flushHeaders', args);
}
