// Scenario 7: memory of 10,000 sessions open at once (`kosha.openSession({ transaction: false })`, each
// with one entity loaded through `scope.run(() => repo.getById(id))`), measured with `global.gc()`:
//   - heap per open session, against MikroORM's own `em.fork()` ×10,000 with one findOne each (reported),
//   - heap retained once they are all closed, in two open/close cycles (a correctness target: a session
//     that is not given back is a leak).
// No transactions: 10,000 concurrent transactions need 10,000 connections (SQLite has one; a PostgreSQL
// pool a few dozen), so each session is `mode: 'method'` and getById's read-only transaction is virtual.
import { closeKosha, defineUser, openKosha, row, seedUsers } from '../lib/harness.mjs';

const N = 10_000;
/** Queries in flight at once while the sessions load their entity (all N sessions stay open meanwhile). */
const BATCH = 100;
/**
 * What the heap may keep after the sessions close: 1 MiB, ≈ 105 bytes per session of 10,000 — less than
 * the smallest part of a session (its forked EntityManager alone is kilobytes), so any session kept alive
 * by something fails it. What a sound run keeps is not per session: code V8 optimizes during the cycle and
 * its own bookkeeping lists (a few hundred KiB in heap snapshots), and any hash table's backing store grown
 * to 10,000 entries (V8 does not shrink one when the GC clears its weak entries). It levels off over cycles.
 */
const RETAINED_LIMIT = 2 ** 20;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const kib = (bytes) => `${(bytes / 1024).toFixed(2)} KiB`;
const signedKib = (bytes) => `${bytes >= 0 ? '+' : '−'}${(Math.abs(bytes) / 1024).toFixed(0)} KiB`;

/** heapUsed after full collections (a few, with pauses for finalizers and weak callbacks). */
async function settledHeap() {
  for (let i = 0; i < 4; i++) {
    global.gc();
    await sleep(10);
  }
  global.gc();
  return process.memoryUsage().heapUsed;
}

/** Runs `fn(item, i)` over `items`, at most BATCH at a time. */
async function inBatches(items, fn) {
  for (let i = 0; i < items.length; i += BATCH) {
    await Promise.all(items.slice(i, i + BATCH).map((item, j) => fn(item, i + j)));
  }
}

export default {
  id: 'memory',
  title: '10,000 concurrent open sessions: heap per session, nothing kept after close',
  async run(ctx) {
    if (typeof global.gc !== 'function') {
      throw new Error(
        'memory: global.gc is missing. Run through `pnpm bench` (it starts scenarios with --expose-gc) or with node --expose-gc.',
      );
    }
    const { currentSession, DbRepo } = await import('@kosha/core');
    const User = await defineUser(`bench_mem_${ctx.suffix}`);
    class UserRepo extends DbRepo {
      constructor() {
        super(User);
      }
    }

    const kosha = await openKosha(ctx, [User]);
    try {
      const repo = new UserRepo();
      const ids = await seedUsers(repo, 1000);
      const em = kosha.orm.orm.em; // the backend's MikroORM instance: the reference uses it directly
      const idOf = (i) => ids[i % ids.length];
      const must = (u) => {
        if (!u) throw new Error('missing row');
      };

      // One cycle: open n sessions at once, load an entity in each, measure; close them all, measure.
      // Everything the cycle allocated is reachable only from `sessions` here, which is dropped before the
      // last measurement.
      const koshaCycle = async (n) => {
        const before = await settledHeap();
        let sessions = await Promise.all(
          Array.from({ length: n }, () => kosha.openSession({ transaction: false })),
        );
        await inBatches(sessions, async (scope, i) => must(await scope.run(() => repo.getById(idOf(i)))));
        // The entity is in the session's own identity map (getById joined the scope's session).
        const loaded = sessions[0]
          .run(() => currentSession(kosha))
          .native.getUnitOfWork()
          .getIdentityMap();
        if (loaded.values().length !== 1) throw new Error('getById did not load into the scope session');
        const open = await settledHeap();
        await Promise.all(sessions.map((scope) => scope.close()));
        sessions = null;
        const after = await settledHeap();
        return { before, open, after };
      };
      const forkCycle = async (n) => {
        const before = await settledHeap();
        let forks = Array.from({ length: n }, () => em.fork());
        await inBatches(forks, async (fork, i) => must(await fork.findOne(User, { id: idOf(i) })));
        const open = await settledHeap();
        for (const fork of forks) fork.clear();
        forks = null;
        const after = await settledHeap();
        return { before, open, after };
      };

      // Warm-up: code, inline caches, MikroORM's statement and hydrator caches — allocated once, not per session.
      await koshaCycle(500);
      await forkCycle(500);

      const k1 = await koshaCycle(N);
      const f1 = await forkCycle(N);
      const k2 = await koshaCycle(N);
      const f2 = await forkCycle(N);

      const perSession = (c) => (c.open - c.before) / N;
      const kPer = (perSession(k1) + perSession(k2)) / 2;
      const fPer = (perSession(f1) + perSession(f2)) / 2;
      const retained1 = k1.after - k1.before;
      const retained2 = k2.after - k1.before; // across both cycles, against the heap before the first
      const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
      const limit = `≤ +${RETAINED_LIMIT / 2 ** 20} MiB (≈ ${Math.round(RETAINED_LIMIT / N)} B/session)`;
      const how = `${ctx.dialect}; openSession({ transaction: false }) (${N.toLocaleString('en')} concurrent transactions need as many connections), getById in each; heapUsed after gc ×5`;
      return [
        row({
          scenario: '7. heap per open session (10,000 at once)',
          kosha: kib(kPer),
          baseline: `${kib(fPer)} em.fork() + findOne`,
          ratio: kPer / fPer,
          notes: `${how}; mean of 2 cycles (${kib(perSession(k1))}, ${kib(perSession(k2))}); ${mib(k1.open - k1.before)} for 10,000`,
        }),
        {
          ...row({
            scenario: '7b. heap kept after the 10,000 sessions close',
            kosha: `${signedKib(retained1)} (${(retained1 / N).toFixed(1)} B/session)`,
            baseline: `${signedKib(f1.after - f1.before)} em.fork() dropped`,
            ratio: k1.after / k1.before,
            target: limit,
            pass: retained1 <= RETAINED_LIMIT,
            notes: `${how}; ratio: heap after close / heap before open (${mib(k1.before)})`,
          }),
          correctness: true,
        },
        {
          ...row({
            scenario: '7c. heap kept after a second open/close cycle',
            kosha: `${signedKib(retained2)} (${(retained2 / N).toFixed(1)} B/session)`,
            baseline: `${signedKib(f2.after - f1.before)} em.fork(), 2 cycles`,
            ratio: k2.after / k1.before,
            target: limit,
            pass: retained2 <= RETAINED_LIMIT,
            notes: `${ctx.dialect}; heap after the second cycle against the heap before the first (${signedKib(k2.after - k1.after)} in cycle 2 itself): no growth across cycles`,
          }),
          correctness: true,
        },
      ];
    } finally {
      await closeKosha(kosha);
    }
  },
};
