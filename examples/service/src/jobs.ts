import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kosha } from '@kosha/core';

/** Which job, if any, the current async context belongs to (the demo uses it to count a job's SQL apart). */
export const jobContext = new AsyncLocalStorage<string>();

/** A finished job. */
export interface JobRecord {
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
}

/**
 * An in-process background queue: work started by a request and not awaited by it. The job runs
 * through `kosha.background`, outside the request's scope, so its outermost `@transactional` call opens,
 * commits and closes its own session — Kosha's background path. (Left in the request's context instead,
 * it would fail with `ScopeEndedError` once the response is out: the request's session is gone.)
 */
export class Jobs {
  readonly #pending = new Set<Promise<void>>();
  readonly #kosha: Kosha;
  readonly done: JobRecord[] = [];

  constructor(kosha: Kosha) {
    this.#kosha = kosha;
  }

  /** Runs `fn` on a later turn of the event loop, as a job of its own. */
  schedule(name: string, fn: () => Promise<unknown>): void {
    const run = this.#kosha
      .background(() =>
        new Promise<void>((resolve) => setImmediate(resolve)).then(() => jobContext.run(name, fn)),
      )
      .then(
        () => {
          this.done.push({ name, ok: true });
        },
        (error: unknown) => {
          this.#kosha.logger.error(`job ${name} failed`, error);
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
