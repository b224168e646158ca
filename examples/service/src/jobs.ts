import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '@kosha/core';

/** Which job, if any, the current async context belongs to (the demo uses it to count a job's SQL apart). */
export const jobContext = new AsyncLocalStorage<string>();

/** A finished job. */
export interface JobRecord {
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
}

/**
 * An in-process background queue: work started after the response, outside any request. The job runs
 * with no session in its context, so its outermost `@transactional` call opens, commits and closes its
 * own session — Kosha's background path.
 */
export class Jobs {
  readonly #pending = new Set<Promise<void>>();
  readonly #logger: Logger;
  readonly done: JobRecord[] = [];

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /**
   * Runs `fn` on a later turn of the event loop. Schedule it once the response is sent: the request's
   * session is closed by then, so the job's `@transactional` calls take the background path.
   */
  schedule(name: string, fn: () => Promise<unknown>): void {
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => jobContext.run(name, fn))
      .then(
        () => {
          this.done.push({ name, ok: true });
        },
        (error: unknown) => {
          this.#logger.error(`job ${name} failed`, error);
          this.done.push({ name, ok: false, error: String(error) });
        },
      )
      .finally(() => this.#pending.delete(run));
    this.#pending.add(run);
  }

  /** Resolves when every scheduled job has finished. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}
