/**
 * A store call with a deadline, linked into {@link CallsInFlight} until it settles. A class, so every call
 * has one shape; its links are the list's own.
 */
export class CallInFlight {
  /** @internal */ prev: CallInFlight | undefined = undefined;
  /** @internal */ next: CallInFlight | undefined = undefined;
  /** @internal */ listed = false;

  constructor(
    /** When the call is overdue (ms since the epoch). */
    readonly deadline: number,
    /** Its timeout, for the message. */
    readonly ms: number,
    /** Fails the call (it has not settled: the list drops settled calls). */
    readonly expire: (now: number) => void,
  ) {}
}

/**
 * The calls that have not settled yet, as an intrusive doubly linked list: adding and removing are O(1)
 * with no allocation, and a settled call leaves at once, so only calls really in flight stay reachable —
 * an array swept by a timer kept every settled call of a cache hit alive till the sweep, which at tens of
 * thousands of hits a second promoted them all to the old generation.
 */
export class CallsInFlight {
  #head: CallInFlight | undefined = undefined;
  #size = 0;

  /** Calls in flight. */
  get size(): number {
    return this.#size;
  }

  add(call: CallInFlight): void {
    call.next = this.#head;
    if (this.#head) this.#head.prev = call;
    this.#head = call;
    call.listed = true;
    this.#size++;
  }

  /** Takes a call out (a no-op when it is not listed). */
  remove(call: CallInFlight): void {
    if (!call.listed) return;
    if (call.prev) call.prev.next = call.next;
    else this.#head = call.next;
    if (call.next) call.next.prev = call.prev;
    call.prev = call.next = undefined;
    call.listed = false;
    this.#size--;
  }

  /** Takes out and expires every call whose deadline is `now` or earlier. */
  expireDue(now: number): void {
    let call = this.#head;
    while (call) {
      const next = call.next;
      if (call.deadline <= now) {
        this.remove(call);
        call.expire(now);
      }
      call = next;
    }
  }
}
