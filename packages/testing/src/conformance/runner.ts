import type { Kosha, OrmBackend } from '@kosha/core';
import type { ConfPersonRepo, ConfRowRepo } from './entities.js';

/**
 * The subset of a test runner the conformance suites use. Vitest's `{ describe, test, beforeAll, afterAll }`
 * fits as is; for `node:test` pass `{ describe, test, beforeAll: before, afterAll: after }`.
 */
export interface SuiteRunner {
  describe(name: string, fn: () => void): unknown;
  test(name: string, fn: () => Promise<void>): unknown;
  beforeAll(fn: () => Promise<void>): unknown;
  afterAll(fn: () => Promise<void>): unknown;
}

/** Builds a fresh backend for the suite (e.g. `() => mikroOrm({ url })`). */
export type BackendFactory = () => OrmBackend | Promise<OrmBackend>;

/** What the parts of the suite share once the backend is up. */
export interface SuiteContext {
  kosha: Kosha;
  people: ConfPersonRepo;
  rows: ConfRowRepo;
  /** Sessions opened so far (to prove that validation happens before any SQL). */
  sessionsOpened(): number;
  /** A label no other test uses. */
  label(what: string): string;
  /** True when the backend can run a second transaction while one is open. */
  concurrent: boolean;
}

/** Rejects unless `p` settles within `ms` — a hang is a failure, not a slow pass. */
export async function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms (it hangs)`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Awaits a promise expected to reject and returns the error. */
export async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the call succeeded');
}
