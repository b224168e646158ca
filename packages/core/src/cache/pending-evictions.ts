/** Evictions remembered while the store was unreachable, at most this many (then the overflow is logged). */
const MAX_PENDING = 10_000;
/** Keys per `delete` when the remembered ones are delivered. */
const BATCH = 500;

/**
 * Evictions the store did not get: single keys and whole prefixes, until they are delivered. While
 * one is pending the store may still hold the old entry, so reads of the keys it covers must not be
 * served from the store ({@link covers}).
 *
 * Each entry carries the number of the failure that added it last. A delivery settles only entries
 * whose last failure came before the delivering call started: an eviction that fails again while
 * it is delivered stays pending for the next delivery, as that call may have run before the entry
 * it should remove was written.
 */
export class PendingEvictions {
  /** How many entries may be pending at once. */
  static readonly max = MAX_PENDING;
  readonly #keys = new Map<string, number>();
  readonly #prefixes = new Map<string, number>();
  #seq = 0;
  #overflowed = false;

  /** True when nothing is pending. */
  get empty(): boolean {
    return this.#keys.size === 0 && this.#prefixes.size === 0;
  }

  /** Entries pending, keys and prefixes together. */
  get size(): number {
    return this.#keys.size + this.#prefixes.size;
  }

  /**
   * True when a pending eviction covers `key`: the key itself, or a prefix it starts with. This runs
   * before every read, so with nothing pending it is two size checks and allocates nothing.
   */
  covers(key: string): boolean {
    if (this.#keys.size !== 0 && this.#keys.has(key)) return true;
    if (this.#prefixes.size === 0) return false;
    for (const p of this.#prefixes.keys()) if (key.startsWith(p)) return true;
    return false;
  }

  /** Remembers a failed eviction of one key. */
  addKey(key: string): void {
    this.#add(this.#keys, key);
  }

  /** Remembers a failed eviction of every key under a literal prefix. */
  addPrefix(prefix: string): void {
    this.#add(this.#prefixes, prefix);
  }

  #add(map: Map<string, number>, what: string): void {
    if (!map.has(what) && this.size >= MAX_PENDING) this.#overflowed = true;
    else map.set(what, ++this.#seq);
  }

  /**
   * Delivers what is pending: prefixes first (which also settle the keys under them), then keys in
   * batches. Rejects at the first call that fails; what was delivered until then stays delivered.
   */
  async deliver(
    clearPrefix: (prefix: string) => Promise<void>,
    deleteKeys: (keys: string[]) => Promise<void>,
  ): Promise<void> {
    for (const prefix of [...this.#prefixes.keys()]) {
      const at = this.#seq;
      await clearPrefix(prefix);
      settle(this.#prefixes, prefix, at);
      for (const [k, seq] of this.#keys) if (seq <= at && k.startsWith(prefix)) this.#keys.delete(k);
    }
    const at = this.#seq;
    const keys = [...this.#keys.keys()];
    for (let i = 0; i < keys.length; i += BATCH) {
      const batch = keys.slice(i, i + BATCH);
      await deleteKeys(batch);
      for (const k of batch) settle(this.#keys, k, at);
    }
  }

  /** True once after evictions were dropped because {@link max} were already pending. */
  takeOverflow(): boolean {
    const o = this.#overflowed;
    this.#overflowed = false;
    return o;
  }
}

function settle(map: Map<string, number>, what: string, at: number): void {
  const seq = map.get(what);
  if (seq !== undefined && seq <= at) map.delete(what);
}
