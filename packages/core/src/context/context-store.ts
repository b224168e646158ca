import { AsyncLocalStorage } from 'node:async_hooks';

/** Where the current session and transaction live for the duration of an async call chain. */
export interface ContextStore<T> {
  /** Runs `fn` with `value` as the current context; it (and everything it awaits) sees it. */
  run<R>(value: T, fn: () => R): R;
  /** The current context, or `undefined` outside any `run`. */
  get(): T | undefined;
}

/** The `ContextStore` on Node's `AsyncLocalStorage`. */
export class AsyncContextStore<T> implements ContextStore<T> {
  readonly #als = new AsyncLocalStorage<T>();

  run<R>(value: T, fn: () => R): R {
    return this.#als.run(value, fn);
  }

  get(): T | undefined {
    return this.#als.getStore();
  }
}
