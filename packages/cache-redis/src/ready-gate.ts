import { CacheError } from '@kosha/core';
import type { RedisLike } from './redis-like.js';

/** A call waiting for the connection. */
interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Where calls wait for a client that is still connecting, each for a bounded time. However many
 * wait, the client carries one listener per event, added with the first waiter and removed with the
 * last, so a long outage piles up neither listeners nor promises. A failed attempt (`close`) does not
 * end the wait: the client retries on its own, and a retry that succeeds within a call's budget serves
 * it (a Cluster often closes its first attempt while its slots settle). A client that gives up
 * (`end`) fails the waiters at once.
 */
export class ReadyGate {
  readonly #client: RedisLike;
  readonly #waiters = new Set<Waiter>();
  readonly #onReady = () => this.#release();
  readonly #onEnd = () =>
    this.#release(new CacheError('The Redis client stopped reconnecting: failing open.'));

  constructor(client: RedisLike) {
    this.#client = client;
  }

  /** Resolves once the client is ready; rejects with a `CacheError` after `ms`, or when it gives up. */
  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.#waiters.size === 0) this.#listen(true);
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(
          () => {
            this.#remove(waiter);
            reject(new CacheError(`Redis was not ready within ${ms} ms: failing open.`));
          },
          Math.max(0, ms),
        ),
      };
      waiter.timer.unref();
      this.#waiters.add(waiter);
    });
  }

  /** Fails every waiter now (the cache is closing). */
  cancel(error: Error): void {
    this.#release(error);
  }

  #release(error?: Error): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    this.#listen(false);
    for (const w of waiters) {
      clearTimeout(w.timer);
      if (error) w.reject(error);
      else w.resolve();
    }
  }

  #remove(waiter: Waiter): void {
    this.#waiters.delete(waiter);
    if (this.#waiters.size === 0) this.#listen(false);
  }

  #listen(on: boolean): void {
    const c = this.#client;
    if (on) {
      c.on('ready', this.#onReady);
      c.on('end', this.#onEnd);
    } else {
      c.off('ready', this.#onReady);
      c.off('end', this.#onEnd);
    }
  }
}
