import type { CacheProvider, Logger } from '@kosha/core';
import { jobContext } from './jobs.js';

/** Counts of one kind of work, split between requests and background jobs. */
export interface Counts {
  sql: number;
  hits: number;
  misses: number;
}

/** What the demo counts: SQL statements and cache reads, per origin (`request` or `job`). */
export class Instruments {
  readonly request: Counts = { sql: 0, hits: 0, misses: 0 };
  readonly job: Counts = { sql: 0, hits: 0, misses: 0 };
  /** The statements seen, per origin. */
  readonly statements: { request: string[]; job: string[] } = { request: [], job: [] };
  /** Warnings Kosha logged (the background path says so once per method). */
  readonly warnings: string[] = [];

  #origin(): 'request' | 'job' {
    return jobContext.getStore() === undefined ? 'request' : 'job';
  }

  #bucket(): Counts {
    return this[this.#origin()];
  }

  /**
   * A logger for `createKosha`: counts the `[sql]` lines `mikroOrm({ debug: true })` writes at debug
   * level, keeps warnings, and prints errors.
   */
  logger(print: (line: string) => void = (line) => console.error(line)): Logger {
    return {
      debug: (message: string) => {
        if (!message.startsWith('[sql] ')) return;
        this.#bucket().sql++;
        this.statements[this.#origin()].push(message.slice(6));
      },
      info: () => {},
      warn: (message: string) => {
        this.warnings.push(message);
      },
      error: (message: string, ...rest: unknown[]) =>
        print(`kosha: ${message} ${rest.map(String).join(' ')}`),
    };
  }

  /** Wraps a cache provider to count the decorators' reads: an entry found is a hit, none a miss. */
  countReads(inner: CacheProvider): CacheProvider {
    const count = (value: string | undefined) => {
      if (value === undefined) this.#bucket().misses++;
      else this.#bucket().hits++;
      return value;
    };
    // Explicit delegation keeps the provider's optional members (network policy, ping) as they are.
    return {
      name: inner.name,
      get: async (key) => count(await inner.get(key)),
      getMany: async (keys) => (await inner.getMany(keys)).map(count),
      set: (key, value, ttl) => inner.set(key, value, ttl),
      delete: (...keys) => inner.delete(...keys),
      clearPrefix: (prefix) => inner.clearPrefix(prefix),
      close: () => inner.close(),
      ...(inner.network ? { network: inner.network } : {}),
      ...(inner.ping ? { ping: () => inner.ping!() } : {}),
      ...(inner.defaultTtl !== undefined ? { defaultTtl: inner.defaultTtl } : {}),
    };
  }

  /** A copy of the counts now, to diff against later. */
  snapshot(): { request: Counts; job: Counts } {
    return { request: { ...this.request }, job: { ...this.job } };
  }
}
