import { CacheError } from '@kosha/core';

/**
 * Settles as `promise` does, or rejects with a `CacheError` once `until` (a `Date.now()` time) has
 * passed, whichever comes first. The timer is unref'd, so a wait never keeps the process alive, and
 * cleared as soon as `promise` settles. A late reply is dropped: a cache command changes nothing
 * that fail-open cannot lose.
 */
export function beforeDeadline<T>(promise: Promise<T>, until: number, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new CacheError(`Redis did not answer within ${ms} ms: failing open.`)),
      Math.max(0, until - Date.now()),
    );
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Deadlines for a call made of several round trips, each allowed `ms`. */
export interface RoundTrips {
  /** When the current round trip must have answered: the first one's budget starts at creation. */
  readonly until: number;
  /** Bounds one round trip; once it answers, the next one gets `ms` of its own. */
  step<T>(promise: Promise<T>): Promise<T>;
}

/**
 * {@link RoundTrips} that start now. The wait for the connection shares the first round trip's
 * budget, so a call that cannot even start fails within `ms`, while a long prefix eviction on a
 * healthy server is not cut short (core bounds the whole of it by `prefixTimeout`).
 */
export function roundTrips(ms: number): RoundTrips {
  let until = Date.now() + ms;
  return {
    get until() {
      return until;
    },
    step: (promise) =>
      beforeDeadline(promise, until, ms).then((value) => {
        until = Date.now() + ms;
        return value;
      }),
  };
}
