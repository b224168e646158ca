// The exhausted-pool cases, the same on every database: a wait for the pool ends at pool.acquireTimeout,
// and REQUIRES_NEW on an exhausted pool fails clearly instead of deadlocking.
import { DatabaseError, IllegalTransactionStateError, type Kosha } from '@kosha/core';
import { expect } from 'vitest';
import { bounded, figure, within } from '../support/index.js';
import { countRows, leaked, openApp, timed } from './app.js';

/** Waits (bounded) until every connection of the pool is back, then says how many are still out. */
export async function settled(kosha: Kosha): Promise<number> {
  await bounded(() => (leaked(kosha) === 0 ? 'stop' : undefined), {
    maxIterations: 500,
    maxMs: 3_000,
    intervalMs: 10,
  });
  return leaked(kosha);
}

/** A gate `n` callers pass together, once the last of them has arrived. */
function barrier(n: number): () => Promise<void> {
  let count = 0;
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return () => {
    if (++count === n) open();
    return within(opened, 5_000, 'the other callers');
  };
}

/** pool.max 2 held by two transactions: a third caller gets acquire_timeout within ~0.5 s. */
export async function acquireTimeoutCase(url: string, label: string, prefix: string): Promise<void> {
  const { kosha, rows } = await openApp(url, { pool: { max: 2, acquireTimeout: 0.5 } });
  try {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const allHold = barrier(3);
    const holders = [0, 1].map((i) =>
      kosha.transaction(async () => {
        await rows.save(`${prefix}holder-${i}`);
        await allHold();
        await within(held, 10_000, 'the holders');
      }),
    );
    await allHold();
    const r = await timed(() => within(rows.save(`${prefix}waiter`), 5_000, 'a save on an exhausted pool'));
    release();
    await Promise.all(holders);
    expect(r.error).toBeInstanceOf(DatabaseError);
    expect((r.error as DatabaseError).kind).toBe('acquire_timeout');
    expect((r.error as Error).message).toMatch(/pool\.max|acquireTimeout/);
    expect(r.ms).toBeGreaterThan(450);
    expect(r.ms).toBeLessThan(1_500);
    expect(await countRows(url, `${prefix}holder-`)).toBe(2);
    expect(await countRows(url, `${prefix}waiter`)).toBe(0);
    const leakedAfter = await settled(kosha);
    expect(leakedAfter).toBe(0);
    figure(`${label}: acquire timeout (pool.max 2, 0.5 s)`, {
      failed: 1,
      succeeded: 2,
      leaked: leakedAfter,
      worstLatencyMs: r.ms,
    });
  } finally {
    await kosha.close();
  }
}

/**
 * Three transactions hold a pool of three and each asks for REQUIRES_NEW: all three fail with
 * IllegalTransactionStateError within the acquire timeout, none waits forever, nothing is saved.
 */
export async function requiresNewExhaustedCase(url: string, label: string, prefix: string): Promise<void> {
  const { kosha, rows } = await openApp(url, { pool: { max: 3, acquireTimeout: 0.5 } });
  try {
    // The inner calls start together, once every outer transaction holds its connection, and no outer
    // transaction ends (freeing a slot another inner call could take) before all three have settled.
    const allHold = barrier(3);
    const allSettled = barrier(3);
    const inner: { ms: number; error?: unknown }[] = [];
    const results = await Promise.all(
      Array.from({ length: 3 }, (_, i) =>
        timed(() =>
          within(
            kosha.transaction(async () => {
              await rows.save(`${prefix}outer-${i}`);
              await allHold();
              const r = await timed(() => rows.saveOnItsOwn(`${prefix}inner-${i}`));
              inner.push(r);
              await allSettled();
              if (r.error !== undefined) throw r.error;
            }),
            10_000,
            'REQUIRES_NEW on an exhausted pool',
          ),
        ),
      ),
    );
    expect(inner).toHaveLength(3);
    for (const r of inner) {
      expect(r.error).toBeInstanceOf(IllegalTransactionStateError);
      expect((r.error as Error).message).toMatch(/REQUIRES_NEW/);
      expect(r.ms).toBeGreaterThan(450);
      expect(r.ms).toBeLessThan(2_000);
    }
    for (const r of results) expect(r.error).toBeInstanceOf(IllegalTransactionStateError);
    expect(await countRows(url, prefix)).toBe(0);
    const leakedAfter = await settled(kosha);
    expect(leakedAfter).toBe(0);
    const again = await timed(() =>
      within(rows.save(`after-${prefix}`), 3_000, 'a save once the pool is free'),
    );
    expect(again.error).toBeUndefined();
    figure(`${label}: REQUIRES_NEW at pool exhaustion`, {
      failed: results.length,
      saved: 0,
      leaked: leakedAfter,
      worstLatencyMs: Math.max(...results.map((r) => r.ms)),
      recoverMs: again.ms,
    });
  } finally {
    await kosha.close();
  }
}
