// Core's own test doubles. Plugins get the same fake backend and capturing logger from @kosha/conformance
// (cacheHarness); core cannot import that package, not even in tests (it depends on core: a cycle).
import {
  type CacheProvider,
  createKosha,
  type EntityClass,
  type Kosha,
  type Logger,
  type MemoryCache,
  memoryCache,
  type NetworkPolicy,
} from '@kosha/core';
import { FakeBackend } from './fake-backend.js';

type Op = 'get' | 'getMany' | 'set' | 'delete' | 'clearPrefix' | 'ping';

/**
 * A provider the tests can break: `up` passes calls to an in-memory store, `fail` rejects them at
 * once (a refused connection), `hang` never answers (a server that accepts and stays silent).
 * It counts every call, so tests can show when the breaker stops calling.
 */
export class ControlledProvider implements CacheProvider {
  readonly name = 'controlled';
  mode: 'up' | 'fail' | 'hang' = 'up';
  readonly calls: Record<Op, number> = { get: 0, getMany: 0, set: 0, delete: 0, clearPrefix: 0, ping: 0 };
  readonly network: NetworkPolicy | undefined;
  inner: MemoryCache;

  constructor(network?: NetworkPolicy, inner: MemoryCache = memoryCache()) {
    this.network = network;
    this.inner = inner;
  }

  /** Calls made so far, all kinds together. */
  get total(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }

  #call<T>(op: Op, fn: () => Promise<T>): Promise<T> {
    this.calls[op]++;
    if (this.mode === 'fail') return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1 (test)'));
    if (this.mode === 'hang') return new Promise<T>(() => {});
    return fn();
  }

  get(key: string) {
    return this.#call('get', () => this.inner.get(key));
  }
  getMany(keys: readonly string[]) {
    return this.#call('getMany', () => this.inner.getMany(keys));
  }
  set(key: string, value: string, ttl?: number) {
    return this.#call('set', () => this.inner.set(key, value, ttl));
  }
  delete(...keys: string[]) {
    return this.#call('delete', () => this.inner.delete(...keys));
  }
  clearPrefix(prefix: string) {
    return this.#call('clearPrefix', () => this.inner.clearPrefix(prefix));
  }
  ping() {
    return this.#call('ping', async () => {});
  }
  async close() {}
}

/** A logger that keeps what was logged at warn and error. */
export function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug() {},
    info() {},
    warn: (m: string) => void lines.push(`warn: ${m}`),
    error: (m: string) => void lines.push(`error: ${m}`),
  };
}

/** A Kosha instance on the fake backend with the given cache (not the process default). */
export async function testKosha(
  entities: EntityClass[],
  cache: CacheProvider | false = memoryCache(),
  logger: Logger = capturingLogger(),
): Promise<{ kosha: Kosha; db: FakeBackend }> {
  const db = new FakeBackend();
  const kosha = await createKosha({ orm: db, cache, entities, logger, setDefault: false });
  return { kosha, db };
}

/** A promise and the function that resolves it: a gate a test opens when it wants. */
export function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => {
    open = r;
  });
  return { wait, open };
}

/** Lets pending callbacks and timers of 0 ms run. */
export const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));
