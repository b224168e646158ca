// The shared part of every benchmark: options, the timing harness (tinybench, in alternating rounds),
// the services to run against, and the row each scenario reports. A scenario is a module under
// bench/scenarios/ whose default export is `{ id, title, run(ctx) }`; `run` returns the rows of the table.
import { randomBytes } from 'node:crypto';
import { Bench } from 'tinybench';

/**
 * What a scenario runs against. SQLite in memory and ioredis-mock unless DATABASE_URL / REDIS_URL are
 * given (the runner passes them through the environment).
 */
export function context(argv = process.argv) {
  const quick = argv.includes('--quick');
  const databaseUrl = process.env.DATABASE_URL || 'sqlite::memory:';
  const redisUrl = process.env.REDIS_URL || undefined;
  return {
    quick,
    databaseUrl,
    redisUrl,
    /** 'sqlite', 'postgresql', 'mysql' or 'mariadb': the scheme of databaseUrl. */
    dialect: databaseUrl.split(':')[0].replace(/^postgres$/, 'postgresql'),
    /** 'redis' or 'ioredis-mock'. */
    redisKind: redisUrl ? 'redis' : 'ioredis-mock',
    /** A random suffix for table names and key prefixes, so runs never collide with each other's data. */
    suffix: randomBytes(4).toString('hex'),
  };
}

/** A Redis client on ctx.redisUrl, or an ioredis-mock of its own when no URL was given. */
export async function redisClient(ctx) {
  if (ctx.redisUrl) {
    const { Redis } = await import('ioredis');
    return new Redis(ctx.redisUrl);
  }
  const { default: RedisMock } = await import('ioredis-mock');
  // Each mock shares data per host/port/db; a fresh port per run keeps runs apart.
  return new RedisMock({ port: 20000 + Math.floor(Math.random() * 40000) });
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** What {@link compare} and {@link interleaved} return, from each task's per-round latencies (ms). */
function measured(rounds, perRound) {
  return {
    rounds,
    perRound,
    us: (name) => median(perRound[name]) * 1000,
    ratio: (name, base) => median(perRound[name].map((v, k) => v / perRound[base][k])),
  };
}

/**
 * Times each task with tinybench, in `rounds` rounds whose order alternates so that drift (JIT, GC,
 * other processes) hits every task alike. Returns per-task latencies (ms, the mean of each round) and
 * helpers: `us(name)` is the median latency in µs, `ratio(name, base)` the median of the per-round
 * ratios of mean latencies (so > 1 means `name` is slower).
 */
export async function compare(tasks, { quick, rounds = quick ? 3 : 7, time, warmupTime } = {}) {
  const names = Object.keys(tasks);
  const perRound = Object.fromEntries(names.map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    const bench = new Bench({
      time: time ?? (quick ? 250 : 1000),
      warmupTime: warmupTime ?? (quick ? 100 : 300),
      throws: true,
    });
    for (const name of r % 2 ? [...names].reverse() : names) {
      const task = tasks[name];
      // A task is a function, or { fn, beforeAll, afterAll } for a setting that holds while it runs.
      if (typeof task === 'function') bench.add(name, task);
      else bench.add(name, task.fn, { beforeAll: task.beforeAll, afterAll: task.afterAll });
    }
    await bench.run();
    for (const t of bench.tasks) perRound[t.name].push(t.result.latency.mean);
  }
  return measured(rounds, perRound);
}

/**
 * Like {@link compare}, but the tasks take turns call by call (A B C, then C B A, …) instead of one
 * task per stretch of time: a slow moment of the machine (another process, a GC of the server, a busy
 * Redis) falls on every task alike, so a ratio of a few per cent between two calls of ~40 µs that go
 * through the network is not drowned by drift between stretches. tinybench runs its tasks one after
 * another by design, hence this loop. Each call is timed on its own (performance.now() around the
 * await); a round's figure per task is the mean of its calls, a round lasts `time` ms after `warmupTime`.
 */
export async function interleaved(tasks, { quick, rounds = quick ? 3 : 9, time, warmupTime } = {}) {
  const names = Object.keys(tasks);
  const fns = names.map((n) => tasks[n]);
  const perRound = Object.fromEntries(names.map((k) => [k, []]));
  const roundMs = time ?? (quick ? 500 : 2000);
  const warmMs = warmupTime ?? (quick ? 100 : 300);
  for (let r = 0; r < rounds; r++) {
    const sum = new Float64Array(names.length);
    const calls = new Float64Array(names.length);
    let flip = r % 2 === 1;
    const warmUntil = performance.now() + warmMs;
    while (performance.now() < warmUntil) for (const fn of fns) await fn();
    const until = performance.now() + roundMs;
    while (performance.now() < until) {
      for (let j = 0; j < fns.length; j++) {
        const k = flip ? fns.length - 1 - j : j;
        const t = performance.now();
        await fns[k]();
        sum[k] += performance.now() - t;
        calls[k]++;
      }
      flip = !flip;
    }
    for (let k = 0; k < names.length; k++) perRound[names[k]].push(sum[k] / calls[k]);
  }
  return measured(rounds, perRound);
}

/**
 * For a ratio of ~1 % between two tasks on a machine whose speed drifts by more than that from one
 * second to the next: the tasks take turns in short blocks of `ops` calls (A B, then B A, …), `rounds`
 * times, and a round's figure per task is the mean call of its block — so each ratio compares two
 * blocks run a few milliseconds apart, and the median over a hundred of them is stable (an A/A run of
 * scenario 9e's find against itself: 0.998 and 1.002; seven 1-second stretches gave 1.058).
 */
export async function blocks(tasks, { quick, rounds = quick ? 31 : 101, ops = 100, warmup = 300 } = {}) {
  const names = Object.keys(tasks);
  const perRound = Object.fromEntries(names.map((k) => [k, []]));
  for (const name of names) for (let i = 0; i < warmup; i++) await tasks[name]();
  for (let r = 0; r < rounds; r++) {
    for (const name of r % 2 ? [...names].reverse() : names) {
      const fn = tasks[name];
      const t = performance.now();
      for (let i = 0; i < ops; i++) await fn();
      perRound[name].push((performance.now() - t) / ops);
    }
  }
  return measured(rounds, perRound);
}

/**
 * Times one run of `fn` (ms), `times` times after `warmup` runs, and returns the median. For work
 * that is too long for tinybench's many iterations (an insert of 10,000 rows).
 */
export async function timeRuns(fn, { times, warmup = 1 }) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const ms = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await fn(warmup + i);
    ms.push(performance.now() - t);
  }
  return { median: median(ms), runs: ms };
}

/**
 * One row of the results table.
 * - `kosha`, `baseline`: what was measured, as text with units ("212.4 µs", "41,200 req/s").
 * - `ratio`: a number (Kosha / baseline in the scenario's own sense), or null where there is none.
 * - `target`: the target as text ("≤ 1.05"); `pass`: whether it holds (null: no target, reported only).
 * - `notes`: anything a reader needs to trust the row (dialect, sizes, a second baseline).
 */
export function row({ scenario, kosha, baseline, ratio = null, target = '—', pass = null, notes = '' }) {
  return {
    scenario,
    kosha,
    baseline,
    ratio,
    target,
    verdict: pass === null ? 'reported' : pass ? 'pass' : 'MISS',
    notes,
  };
}

/**
 * A table row comparing two tasks of one {@link compare} / {@link interleaved} run: Kosha's latency, the
 * baseline's, the per-round ratio against `target`; `notes` follow the dialect and the rounds.
 */
export function ratioRow(m, ctx, { scenario, name, base, baseline, notes, target, extra = '' }) {
  const ratio = m.ratio(name, base);
  return row({
    scenario,
    kosha: fmtUs(m.us(name)),
    baseline: `${fmtUs(m.us(base))} ${baseline}`,
    ratio,
    target: `≤ ${target}`,
    pass: ratio <= target,
    notes: `${ctx.dialect}, ${m.rounds} rounds${extra}; ${notes}`,
  });
}

export const fmtUs = (us) => `${us >= 100 ? us.toFixed(0) : us.toFixed(1)} µs`;
export const fmtMs = (ms) => `${ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)} ms`;
export const fmtInt = (n) => Math.round(n).toLocaleString('en');

/**
 * A `User` entity mapped with core's decorators called as functions (what `@entity() class User …`
 * compiles to), on a table of its own. `extra(User)` may map more fields.
 */
export async function defineUser(tableName, extra) {
  const { column, entity, id, table } = await import('@kosha/core');
  class User {}
  entity(User);
  table(tableName)(User);
  id()(User.prototype, 'id');
  column({ type: 'string', length: 100 })(User.prototype, 'name');
  column({ type: 'string', length: 255 })(User.prototype, 'email');
  extra?.(User);
  return User;
}

/** Applies a method decorator by hand, as TypeScript's `@decorator method()` would. */
export function decorate(cls, method, decorator) {
  const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, method);
  Object.defineProperty(cls.prototype, method, decorator(cls.prototype, method, descriptor) ?? descriptor);
}

/**
 * The seed's cached read of `User` as a repository class: `get(userId)` under `@transactional
 * @cacheable({ keyPrefix: 'user', ttl: 3600 })` (decorators apply innermost first: @cacheable, then
 * @transactional). Its constructor takes the Kosha instance.
 */
export async function seedCachedRepo(User) {
  const { DbRepo, cacheable, transactional } = await import('@kosha/core');
  class CachedUsers extends DbRepo {
    constructor(kosha) {
      super(User, kosha);
    }
    async get(userId) {
      return this.getById(userId);
    }
  }
  decorate(CachedUsers, 'get', cacheable({ keyPrefix: 'user', ttl: 3600 }));
  decorate(CachedUsers, 'get', transactional);
  return CachedUsers;
}

/** n plain rows for a `User` from defineUser. */
export const userRows = (n, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ name: `user ${from + i}`, email: `u${from + i}@example.com` }));

/**
 * A Kosha instance on ctx.databaseUrl with `entities`, their tables created. `cache` is a provider
 * (`redisCache(…)`) or false; `pool` MikroORM pool settings; `debug` and `logger` as in `mikroOrm` and
 * `createKosha` (see {@link sqlCounter}). Pair it with {@link closeKosha}.
 */
export async function openKosha(ctx, entities, { cache = false, pool, debug, logger } = {}) {
  const { createKosha } = await import('@kosha/core');
  const { mikroOrm } = await import('@kosha/orm-mikro');
  const kosha = await createKosha({
    orm: mikroOrm({ url: ctx.databaseUrl, ...(pool ? { pool } : {}), ...(debug ? { debug } : {}) }),
    entities,
    cache,
    ...(logger ? { logger } : {}),
  });
  await kosha.schema.create();
  return kosha;
}

/**
 * A Kosha logger that counts the statements that reach the database: with `mikroOrm({ debug: true })`
 * each one (BEGIN and COMMIT included) is a debug line starting `[sql] `. Warnings and errors print.
 */
export function sqlCounter() {
  const counter = {
    statements: 0,
    debug: (message) => {
      if (String(message).startsWith('[sql] ')) counter.statements++;
    },
    info: () => {},
    warn: (...a) => console.warn('[kosha]', ...a),
    error: (...a) => console.error('[kosha]', ...a),
  };
  return counter;
}

/** Drops the tables of {@link openKosha} and closes it. */
export async function closeKosha(kosha) {
  await kosha.schema.drop().catch(() => {});
  await kosha.close();
}

/** Saves n users through `repo.insertAll` and returns their ids. */
export async function seedUsers(repo, n) {
  return (await repo.insertAll(userRows(n))).map((u) => u.id);
}
