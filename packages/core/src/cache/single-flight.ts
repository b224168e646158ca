interface Flight {
  readonly promise: Promise<unknown>;
  readonly leaderHoldsConnection: boolean;
}

/** Lets a flight's leader keep the flight joinable until its result is in the cache. */
export type Hold = (until: Promise<unknown>) => void;

/**
 * Shares one call among concurrent callers of the same key: 1,000 concurrent misses on `user:42`
 * run the method once. One instance per cache provider, so keys are per provider.
 *
 * A leader inside a transaction writes its result to the cache only after the commit; it `hold`s the
 * flight until then, so callers arriving in between join it instead of missing again. Evictions
 * `forget` flights, so nobody joins one that read a row since replaced.
 *
 * A caller that holds a database connection (it is inside a transaction) joins only a flight whose
 * leader holds one too: a leader that still has to take a connection from the pool could wait
 * forever behind followers that hold them all (on SQLite, behind the one connection).
 */
export class SingleFlight {
  readonly #flights = new Map<string, Flight>();
  #ended = 0;

  /** Counts flights that ended: a caller that missed compares it to learn whether one ended since (then it reads again). */
  get ended(): number {
    return this.#ended;
  }

  /** Runs `fn` for `key`, or joins the call already in flight for it. */
  run<T>(key: string, holdsConnection: boolean, fn: (hold: Hold) => Promise<T>): Promise<T> {
    const current = this.#flights.get(key);
    if (current) {
      if (!holdsConnection || current.leaderHoldsConnection) return current.promise as Promise<T>;
      return fn(() => {});
    }
    let flight: Flight | undefined;
    const drop = () => {
      this.#ended++;
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    };
    let held: Promise<unknown> | undefined;
    const promise = (async () => {
      try {
        return await fn((until) => {
          held = until;
        });
      } finally {
        // Before the callers resume: a result that is not cached must not be handed to later callers.
        if (held) void held.catch(() => undefined).finally(drop);
        else drop();
      }
    })();
    flight = { promise, leaderHoldsConnection: holdsConnection };
    this.#flights.set(key, flight);
    return promise;
  }

  /** Makes the flight of `key`, if any, unjoinable: later callers start a new one. */
  forget(key: string): void {
    this.#flights.delete(key);
  }

  /** Makes every flight of a key under a literal prefix unjoinable. */
  forgetPrefix(prefix: string): void {
    for (const key of [...this.#flights.keys()]) if (key.startsWith(prefix)) this.#flights.delete(key);
  }

  /** Keys with a call in flight (for tests and diagnostics). */
  get size(): number {
    return this.#flights.size;
  }
}
