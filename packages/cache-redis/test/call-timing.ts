/** A call timed by {@link measure}: how long it took, and what it returned or threw. */
export interface Measured<T> {
  readonly ms: number;
  readonly value?: T;
  readonly error?: unknown;
}

/** A call still running after this is taken as hung (and the test fails there, not at its own timeout). */
const HUNG = 5_000;

/** Runs `fn` and times it; a call that has not ended after {@link HUNG} ms counts as taking forever. */
export async function measure<T>(fn: () => Promise<T>): Promise<Measured<T>> {
  const t = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<Measured<T>>((r) => {
    timer = setTimeout(() => r({ ms: Number.POSITIVE_INFINITY }), HUNG);
  });
  const done = fn().then(
    (value) => ({ ms: Date.now() - t, value }),
    (error: unknown) => ({ ms: Date.now() - t, error }),
  );
  const result = await Promise.race([done, hung]);
  clearTimeout(timer);
  return result;
}

/** Polls `check` every 100 ms, at most `ms` milliseconds and 200 times. */
export async function eventually(check: () => Promise<boolean>, ms: number): Promise<number> {
  const started = Date.now();
  for (let i = 0; i < 200; i++) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met within ${ms} ms`);
}

/** The longest of some timed calls. */
export const worst = (times: Measured<unknown>[]): number => Math.max(...times.map((t) => t.ms));
