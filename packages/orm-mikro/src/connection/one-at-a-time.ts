/**
 * A first-come first-served lock: SQLite's one connection, taken by one transaction (or statement) at a
 * time. The guard holds it from a transaction's first statement to its end — not from its BEGIN, as
 * Kysely would — so a transaction that runs nothing never waits for it.
 */
export class OneAtATime {
  #held = false;
  readonly #queue: (() => void)[] = [];

  /** Resolves once the caller holds the lock. */
  acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.#queue.push(resolve));
  }

  /** Hands the lock to the next in line, or frees it. */
  release(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#held = false;
  }
}
