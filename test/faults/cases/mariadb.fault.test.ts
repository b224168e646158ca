// MariaDB connections under faults, in a scratch database on the shared server (never stopped, paused or
// killed: only this file's own connections are killed, only its own links cut): killed connections,
// stalled links, resets around COMMIT, an exhausted pool. Every outcome is checked over a direct connection.
import { CommitUnknownError, DatabaseError, type Kosha, TransactionTimedOutError } from '@kosha/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  figure,
  killConnections,
  type MariadbScratch,
  mariadbAvailable,
  mariadbScratch,
  mariadbThroughProxy,
  sleep,
  startProxy,
  type TcpProxy,
  within,
} from '../support/index.js';
import { countRows, openApp, type RowRepo, timed } from './app.js';
import { acquireTimeoutCase, requiresNewExhaustedCase, settled } from './pool-cases.js';

const available = await mariadbAvailable();

// Tokens never contain the word the proxy rules match, and no prefix below is a prefix of another
// case's tokens: each case counts only its own rows.
describe.skipIf(!available)('MariaDB connections under faults', () => {
  let db: MariadbScratch;

  beforeAll(async () => {
    db = await mariadbScratch();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('the connection of a transaction killed mid-transaction (× pool.max): kind connection, no slot leaks, the pool refills', async () => {
    const { kosha, rows } = await openApp(db.url, { pool: { max: 4 } });
    try {
      const outcomes: unknown[] = [];
      let worst = 0;
      let killed = 0;
      for (let i = 0; i < 4; i++) {
        const r = await timed(() =>
          within(
            kosha.transaction(async () => {
              await rows.save(`mkill-${i}-a`);
              killed += await killConnections(db.name);
              await rows.save(`mkill-${i}-b`);
            }),
            10_000,
            'a transaction whose connection was killed',
          ),
        );
        worst = Math.max(worst, r.ms);
        outcomes.push(r.error);
      }
      for (const error of outcomes) {
        expect(error).toBeInstanceOf(DatabaseError);
        expect((error as DatabaseError).kind).toBe('connection');
      }
      expect(killed).toBeGreaterThanOrEqual(4);
      const leakedAfter = await settled(kosha);
      expect(leakedAfter).toBe(0);
      // The pool refills: as many saves again as it has slots, and more.
      const start = performance.now();
      for (let i = 0; i < 8; i++) await within(rows.save(`mrefill-${i}`), 5_000, 'a save after the kills');
      const recoverMs = performance.now() - start;
      expect(await countRows(db.url, 'mrefill-')).toBe(8);
      expect(await countRows(db.url, 'mkill-')).toBe(0);
      const closing = await timed(() => within(kosha.close(), 10_000, 'kosha.close()'));
      expect(closing.error).toBeUndefined();
      expect(closing.ms).toBeLessThan(5_000);
      figure('MariaDB: connection killed mid-transaction x pool.max', {
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

  describe('through a proxy', () => {
    let proxy: TcpProxy;
    let kosha: Kosha;
    let rows: RowRepo;

    beforeAll(async () => {
      proxy = await startProxy({ targetPort: 3306 });
      ({ kosha, rows } = await openApp(
        mariadbThroughProxy(proxy.port, db.name),
        { pool: { max: 3, acquireTimeout: 1 } },
        db.url,
      ));
    });
    afterAll(async () => {
      proxy?.resume();
      proxy?.clearRules();
      await kosha?.close();
      await proxy?.close();
    });

    it('a stalled link: transaction(fn, { timeout: 2 }) ends at its deadline, the connection is destroyed', async () => {
      await rows.save('mwarm-up');
      const r = await timed(() =>
        within(
          kosha.transaction(
            async () => {
              await rows.save('mstalled-first');
              proxy.stall();
              await rows.save('mstalled-second');
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
      const leakedAfter = await settled(kosha);
      expect(leakedAfter).toBe(0);
      const again = await timed(() => within(rows.save('mafter-stall'), 5_000, 'a save after the stall'));
      expect(again.error).toBeUndefined();
      expect(await countRows(db.url, 'mstalled-')).toBe(0);
      expect(await countRows(db.url, 'mafter-stall')).toBe(1);
      figure('MariaDB: link stalled inside a transaction (timeout 2 s)', {
        failed: 1,
        missing: 0,
        leaked: leakedAfter,
        worstLatencyMs: r.ms,
        recoverMs: again.ms,
      });
    });

    it('the link reset before COMMIT: a plain connection error ("nothing was saved"), and nothing is', async () => {
      const r = await timed(() =>
        within(
          kosha.transaction(async () => {
            await rows.save('mcut-early');
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
      const saved = await countRows(db.url, 'mcut-early');
      expect(saved).toBe(0);
      const leakedAfter = await settled(kosha);
      expect(leakedAfter).toBe(0);
      const again = await timed(() => within(rows.save('mafter-cut'), 5_000, 'a save after the reset'));
      expect(again.error).toBeUndefined();
      figure('MariaDB: link reset before COMMIT', {
        failed: 1,
        saved,
        leaked: leakedAfter,
        worstLatencyMs: r.ms,
        recoverMs: again.ms,
      });
    });

    it('the link reset after COMMIT reached the server: KOSHA_COMMIT_UNKNOWN, and the row is there', async () => {
      const rule = proxy.onClientData(/\bcommit\b/i, 'reset-after-forward', { once: true });
      const r = await timed(() =>
        within(
          kosha.transaction(async () => {
            await rows.save('mreply-lost');
          }),
          10_000,
          'a transaction whose COMMIT reply is lost',
        ),
      );
      rule.remove();
      expect(rule.fired).toBe(1);
      expect(r.error).toBeInstanceOf(CommitUnknownError);
      expect((r.error as CommitUnknownError).code).toBe('KOSHA_COMMIT_UNKNOWN');
      const saved = await countRows(db.url, 'mreply-lost');
      expect(saved).toBe(1);
      const leakedAfter = await settled(kosha);
      expect(leakedAfter).toBe(0);
      figure('MariaDB: link reset after COMMIT (reply lost)', {
        reportedUnknown: 1,
        saved,
        leaked: leakedAfter,
        worstLatencyMs: r.ms,
      });
    });

    it('the COMMIT lost on its way (link reset as it is sent): KOSHA_COMMIT_UNKNOWN, and nothing is saved', async () => {
      const rule = proxy.onClientData(/\bcommit\b/i, 'reset-before', { once: true });
      const r = await timed(() =>
        within(
          kosha.transaction(async () => {
            await rows.save('mnever-arrived');
          }),
          10_000,
          'a transaction whose COMMIT never arrives',
        ),
      );
      rule.remove();
      expect(rule.fired).toBe(1);
      // The client cannot tell a COMMIT lost on the way from a reply lost on the way back: unknown.
      expect(r.error).toBeInstanceOf(CommitUnknownError);
      expect((r.error as CommitUnknownError).code).toBe('KOSHA_COMMIT_UNKNOWN');
      const saved = await countRows(db.url, 'mnever-arrived');
      expect(saved).toBe(0);
      const leakedAfter = await settled(kosha);
      expect(leakedAfter).toBe(0);
      const again = await timed(() =>
        within(rows.save('mafter-lost'), 5_000, 'a save after the lost COMMIT'),
      );
      expect(again.error).toBeUndefined();
      figure('MariaDB: COMMIT lost on its way', {
        reportedUnknown: 1,
        saved,
        leaked: leakedAfter,
        worstLatencyMs: r.ms,
        recoverMs: again.ms,
      });
    });
  });

  describe('an exhausted pool', () => {
    it('acquire timeout: a clear acquire_timeout error within pool.acquireTimeout', () =>
      acquireTimeoutCase(db.url, 'MariaDB', 'm-pool-'));

    it('REQUIRES_NEW at pool exhaustion: every caller fails within the acquire timeout, nobody hangs', () =>
      requiresNewExhaustedCase(db.url, 'MariaDB', 'm-exhausted-'));
  });
});
