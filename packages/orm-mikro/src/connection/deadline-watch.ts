/** Something waiting on the database that must end by `at` (epoch ms). */
interface Watched {
  readonly at: number;
  readonly due: () => void;
}

/**
 * Enforces deadlines on waits (a connection from the pool, a statement, a COMMIT) with one unref'd timer
 * for all of them, instead of a timer per statement: most statements carry no deadline, and those that
 * do finish long before it.
 */
export class DeadlineWatch {
  readonly #watched = new Set<Watched>();
  readonly #every: number;
  #timer: NodeJS.Timeout | undefined;

  /** `every`: how often deadlines are checked (ms): how late past its deadline a wait may end. */
  constructor(every = 25) {
    this.#every = every;
  }

  /** Calls `due` once `at` has passed, unless the returned cancel function is called first. */
  watch(at: number, due: () => void): () => void {
    const entry: Watched = { at, due };
    this.#watched.add(entry);
    this.#timer ??= setInterval(() => this.#tick(), this.#every).unref();
    return () => {
      this.#watched.delete(entry);
    };
  }

  #tick(): void {
    const now = Date.now();
    for (const entry of this.#watched) {
      if (entry.at > now) continue;
      this.#watched.delete(entry);
      entry.due();
    }
    if (this.#watched.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
