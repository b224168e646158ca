/**
 * The subset of a test runner the backend and HTTP suites use. Vitest's `{ describe, test, beforeAll, afterAll }`
 * fits as is; for `node:test` pass `{ describe, test, beforeAll: before, afterAll: after }`.
 */
export interface SuiteRunner {
  /** Groups tests under a title. */
  describe(name: string, fn: () => void): unknown;
  /** Registers one test. */
  test(name: string, fn: () => Promise<void>): unknown;
  /** Runs once before the tests of the enclosing group. */
  beforeAll(fn: () => Promise<void>): unknown;
  /** Runs once after the tests of the enclosing group. */
  afterAll(fn: () => Promise<void>): unknown;
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
