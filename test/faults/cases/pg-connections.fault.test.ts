// PostgreSQL connections under faults, on a throwaway cluster: killed backends, restarts under load,
// stalled links, resets around COMMIT, an exhausted pool. Every promise is checked on the server.
import {
  CommitUnknownError,
  DatabaseError,
  IllegalTransactionStateError,
  type Kosha,
  ScopeEndedError,
  TransactionTimedOutError,
} from '@kosha/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bounded,
  figure,
  type PgCluster,
  pgClustersAvailable,
  sleep,
  startPgCluster,
  startProxy,
  type TcpProxy,
  within,
} from '../support/index.js';
import { countRows, leaked, openApp, type RowRepo, timed, tokens } from './app.js';
import { acquireTimeoutCase, requiresNewExhaustedCase } from './pool-cases.js';

const available = pgClustersAvailable();

describe.skipIf(!available)('PostgreSQL connections under faults', () => {
  let cluster: PgCluster;

  beforeAll(async () => {
    cluster = await startPgCluster();
  });
  afterAll(async () => {
    await cluster?.drop();
  });

  it('a backend killed mid-transaction (× pool.max): each caller gets kind connection, no slot leaks', async () => {
    const { kosha, rows } = await openApp(cluster.url, { pool: { max: 4 } });
    try {
      const outcomes: unknown[] = [];
      let worst = 0;
      for (let i = 0; i < 4; i++) {
        const r = await timed(() =>
          within(
            kosha.transaction(async () => {
              await rows.save(`killed-${i}-a`);
              await cluster.terminateBackends({ state: 'idle in transaction' });
              await rows.save(`killed-${i}-b`);
            }),
            10_000,
            'a transaction whose backend was killed',
          ),
        );
        worst = Math.max(worst, r.ms);
        outcomes.push(r.error);
      }
      for (const error of outcomes) {
        expect(error).toBeInstanceOf(DatabaseError);
        expect((error as DatabaseError).kind).toBe('connection');
      }
      const leakedAfter = leaked(kosha);
      expect(leakedAfter).toBe(0);
      // The pool refills: as many transactions again as it has slots, and more.
      const start = performance.now();
      for (let i = 0; i < 8; i++)
        await within(rows.save(`killed-after-${i}`), 5_000, 'a save after the kills');
      const recoverMs = performance.now() - start;
      expect(await countRows(cluster.url, 'killed-after-')).toBe(8);
      expect(await countRows(cluster.url, 'killed-0')).toBe(0);
      const closing = await timed(() => kosha.close());
      expect(closing.ms).toBeLessThan(5_000);
      figure('backend killed mid-transaction x pool.max', {
        failed: outcomes.length,
        succeeded: 8,
        missing: 0,
        leaked: leakedAfter,
        worstLatencyMs: worst,
        recoverMs,
        closeMs: closing.ms,
      });
    } finally {
      await kosha.close();
    }
  });

  it('three restarts under 20 writers: nothing acknowledged is missing, no slot leaks, serving again within a second', async () => {
    const { kosha, rows } = await openApp(cluster.url, { pool: { max: 10, acquireTimeout: 2 } });
    try {
      const succeeded: string[] = [];
      let failed = 0;
      let worstMs = 0;
      let lastSuccessAt = 0;
      let stop = false;
      const writer = async (w: number) => {
        await bounded(
          async (i) => {
            if (stop) return 'stop';
            const t = `restart-${w}-${i}`;
            const r = await timed(() => within(rows.save(t), 15_000, 'a write'));
            worstMs = Math.max(worstMs, r.ms);
            if (r.error === undefined) {
              succeeded.push(t);
              lastSuccessAt = performance.now();
            } else {
              failed++;
              await sleep(20);
            }
            return undefined;
          },
          { maxIterations: 100_000, maxMs: 45_000 },
        );
      };
      const writers = Array.from({ length: 20 }, (_, w) => writer(w));
      const recoveries: number[] = [];
      for (let restart = 0; restart < 3; restart++) {
        await sleep(500);
        await cluster.stop('immediate');
        await sleep(1000);
        await cluster.start();
        const up = performance.now();
        await bounded(() => (lastSuccessAt > up ? 'stop' : undefined), {
          maxIterations: 10_000,
          maxMs: 15_000,
          intervalMs: 10,
        });
        expect(lastSuccessAt).toBeGreaterThan(up);
        recoveries.push(lastSuccessAt - up);
      }
      await sleep(300);
      stop = true;
      await Promise.all(writers);
      const stored = new Set(await tokens(cluster.url, 'restart-'));
      const missing = succeeded.filter((t) => !stored.has(t)).length;
      await bounded(() => (leaked(kosha) === 0 ? 'stop' : undefined), {
        maxIterations: 500,
        maxMs: 5_000,
        intervalMs: 10,
      });
      const leakedAfter = leaked(kosha);
      figure('three restarts under 20 writers', {
        failed,
        succeeded: succeeded.length,
        missing,
        leaked: leakedAfter,
        worstLatencyMs: worstMs,
        recoverMs: Math.max(...recoveries),
      });
      expect(missing).toBe(0);
      expect(leakedAfter).toBe(0);
      for (const ms of recoveries) expect(ms).toBeLessThan(1_000);
      expect(succeeded.length).toBeGreaterThan(0);
    } finally {
      const closing = await timed(() => kosha.close());
      expect(closing.ms).toBeLessThan(6_000);
    }
  });

  describe('through a proxy', () => {
    let proxy: TcpProxy;
    let kosha: Kosha;
    let rows: RowRepo;
    const direct = () => cluster.url;

    beforeAll(async () => {
      proxy = await startProxy({ targetPort: cluster.port });
      const url = cluster.url.replace(`:${cluster.port}/`, `:${proxy.port}/`);
      ({ kosha, rows } = await openApp(url, { pool: { max: 3, acquireTimeout: 1 } }, cluster.url));
    });
    afterAll(async () => {
      await kosha?.close();
      await proxy?.close();
    });

    it('a stalled link: transaction(fn, { timeout: 2 }) ends at its deadline, the connection is destroyed', async () => {
      await rows.save('warm-up');
      const r = await timed(() =>
        within(
          kosha.transaction(
            async () => {
              await rows.save('stalled-first');
              proxy.stall();
              await rows.save('stalled-second');
            },
            { timeout: 2 },
          ),
          10_000,
          'a transaction over a stalled link',
        ),
      );
      proxy.resume();
      expect(r.error).toBeInstanceOf(TransactionTimedOutError);
      expect(r.ms).toBeGreaterThan(1_900);
      expect(r.ms).toBeLessThan(3_000);
      await bounded(() => (leaked(kosha) === 0 ? 'stop' : undefined), {
        maxIterations: 200,
        maxMs: 2_000,
        intervalMs: 10,
      });
      expect(leaked(kosha)).toBe(0);
      const again = await timed(() => within(rows.save('after-stall'), 5_000, 'a save after the stall'));
      expect(again.error).toBeUndefined();
      expect(await countRows(direct(), 'stalled-')).toBe(0);
      figure('link stalled inside a transaction (timeout 2 s)', {
        failed: 1,
        missing: 0,
        leaked: leaked(kosha),
        worstLatencyMs: r.ms,
        recoverMs: again.ms,
      });
    });

    it('the link reset before COMMIT: a plain connection error ("nothing was saved"), and nothing is', async () => {
      const r = await timed(() =>
        within(
          kosha.transaction(async () => {
            await rows.save('cut-before');
            proxy.resetAll();
            await sleep(50);
          }),
          10_000,
          'a transaction whose link broke before its COMMIT',
        ),
      );
      expect(r.error).toBeInstanceOf(DatabaseError);
      expect((r.error as DatabaseError).kind).toBe('connection');
      expect(r.error).not.toBeInstanceOf(CommitUnknownError);
      expect(await countRows(direct(), 'cut-before')).toBe(0);
      expect(leaked(kosha)).toBe(0);
      figure('link reset before COMMIT', {
        failed: 1,
        saved: 0,
        leaked: leaked(kosha),
        worstLatencyMs: r.ms,
      });
    });

    it('the COMMIT lost on its way (link reset as it is sent): KOSHA_COMMIT_UNKNOWN, never "nothing was saved"', async () => {
      const rule = proxy.onClientData(/\bcommit\b/i, 'reset-before', { once: true });
      const r = await timed(() =>
        within(
          kosha.transaction(async () => {
            await rows.save('never-arrived');
          }),
          10_000,
          'a transaction whose COMMIT never arrives',
        ),
      );
      rule.remove();
      // The client cannot tell a COMMIT lost on the way from a reply lost on the way back: unknown.
      expect(r.error).toBeInstanceOf(CommitUnknownError);
      const saved = await countRows(direct(), 'never-arrived');
      expect(saved).toBe(0);
      expect(leaked(kosha)).toBe(0);
      figure('COMMIT lost on its way', {
        reportedUnknown: 1,
        saved,
        leaked: leaked(kosha),
        worstLatencyMs: r.ms,
      });
    });

    it('the link reset after COMMIT reached the server: KOSHA_COMMIT_UNKNOWN, and the row is there', async () => {
      const rule = proxy.onClientData(/\bcommit\b/i, 'reset-after-forward', { once: true });
      const r = await timed(() =>
        within(
          kosha.transaction(async () => {
            await rows.save('reply-lost');
          }),
          10_000,
          'a transaction whose COMMIT reply is lost',
        ),
      );
      rule.remove();
      expect(r.error).toBeInstanceOf(CommitUnknownError);
      expect((r.error as CommitUnknownError).code).toBe('KOSHA_COMMIT_UNKNOWN');
      const saved = await countRows(direct(), 'reply-lost');
      expect(saved).toBe(1);
      expect(leaked(kosha)).toBe(0);
      figure('link reset after COMMIT (reply lost)', {
        reportedUnknown: 1,
        saved,
        leaked: leaked(kosha),
        worstLatencyMs: r.ms,
      });
    });
  });

  describe('an exhausted pool', () => {
    it('acquire timeout: a clear acquire_timeout error naming the pool, within pool.acquireTimeout', () =>
      acquireTimeoutCase(cluster.url, 'PostgreSQL', 'pool-'));

    it('REQUIRES_NEW with pool.max 1 fails at once, never waits', async () => {
      const { kosha, rows } = await openApp(cluster.url, { pool: { max: 1, acquireTimeout: 5 } });
      try {
        const r = await timed(() =>
          within(
            kosha.transaction(async () => {
              await rows.save('one-slot-outer');
              await rows.saveOnItsOwn('one-slot-inner');
            }),
            5_000,
            'REQUIRES_NEW with one slot',
          ),
        );
        expect(r.error).toBeInstanceOf(IllegalTransactionStateError);
        expect((r.error as Error).message).toMatch(/REQUIRES_NEW.*pool\.max = 1/s);
        expect(r.ms).toBeLessThan(500);
        expect(await countRows(cluster.url, 'one-slot')).toBe(0);
        figure('REQUIRES_NEW at pool.max 1', { failed: 1, worstLatencyMs: r.ms, leaked: leaked(kosha) });
      } finally {
        await kosha.close();
      }
    });

    it('REQUIRES_NEW at pool exhaustion: every caller fails within the acquire timeout, nobody hangs', () =>
      requiresNewExhaustedCase(cluster.url, 'PostgreSQL', 'exhausted-'));
  });

  it('work started inside a transaction and not awaited fails once the transaction ended, and commits nothing', async () => {
    const { kosha, rows } = await openApp(cluster.url);
    try {
      let child: Promise<unknown> | undefined;
      await kosha.transaction(async () => {
        await rows.save('parent');
        child = (async () => {
          await sleep(100);
          await rows.save('orphan');
        })();
      });
      const error = await child!.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ScopeEndedError);
      expect(await countRows(cluster.url, 'parent')).toBe(1);
      expect(await countRows(cluster.url, 'orphan')).toBe(0);
      figure('non-awaited child after its parent ended', {
        orphanSaved: 0,
        error: (error as ScopeEndedError).code,
      });
    } finally {
      await kosha.close();
    }
  });
});
