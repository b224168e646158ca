#!/usr/bin/env node
// `node bench/upstream.mjs`: the measurements behind the MikroORM changes docs/benchmarks.md proposes
// upstream ("Upstream fixes worth sending"), on SQLite in memory, CPU per call (`process.cpuUsage()`),
// medians of seven rounds. Not a scenario: nothing here is Kosha, and no target depends on it.
// 1. em.fork(): every fork calls Configuration.set() twice (allowGlobalContext on and back), and each
//    set() runs sync(), which writes process.env.MIKRO_ORM_COLORS — a call into libuv's environment.
//    Measured: a fork as it is, and a fork with sync() made a no-op for the call.
// 2. em.findOne() builds its result-cache key (em.cacheKey: a copy of the options, a JSON of the where)
//    before it asks whether there is a result cache at all.
// 3. MikroORM writes a query's values into its SQL text (`where id = 9 limit 1`), so better-sqlite3
//    prepares every read again; a kept statement with the value bound is what the driver is made for.
import Database from 'better-sqlite3';
import { closeKosha, context, defineUser, median, openKosha, seedUsers } from './lib/harness.mjs';

const cpu = (fn, n) => {
  const t = process.cpuUsage();
  for (let i = 0; i < n; i++) fn(i);
  const d = process.cpuUsage(t);
  return (d.user + d.system) / n;
};
const rounds = (tasks, n) => {
  const per = Object.fromEntries(Object.keys(tasks).map((k) => [k, []]));
  for (const fn of Object.values(tasks)) cpu(fn, n / 10);
  for (let r = 0; r < 7; r++) for (const [k, fn] of Object.entries(tasks)) per[k].push(cpu(fn, n));
  return Object.fromEntries(Object.entries(per).map(([k, xs]) => [k, median(xs)]));
};
const us = (x) => `${x.toFixed(2)} µs`;

const ctx = { ...context(), databaseUrl: 'sqlite::memory:' };
const User = await defineUser(`bench_upstream_${ctx.suffix}`);
const kosha = await openKosha(ctx, [User]);
try {
  const { DbRepo } = await import('@kosha/core');
  class Users extends DbRepo {
    constructor() {
      super(User, kosha);
    }
  }
  await seedUsers(new Users(), 1000);
  const em = kosha.orm.orm.em;
  const config = em.config;
  const sync = config.sync;
  const fork = () => em.fork({ clear: true, useContext: false });
  const forkQuiet = () => {
    config.sync = () => {};
    try {
      return fork();
    } finally {
      config.sync = sync;
    }
  };
  const f = rounds(
    { fork, forkQuiet, env: () => (process.env.MIKRO_ORM_COLORS = String(config.get('colors'))) },
    40_000,
  );
  console.log(
    `1. em.fork(): ${us(f.fork)}; with Configuration.sync() a no-op: ${us(f.forkQuiet)} ` +
      `(${((1 - f.forkQuiet / f.fork) * 100).toFixed(0)} % of a fork); one process.env write: ${us(f.env)}`,
  );

  const forked = fork();
  const options = { populate: [], fields: undefined, exclude: undefined };
  const k = rounds({ cacheKey: () => forked.cacheKey(User, options, 'em.findOne', { id: 42 }) }, 200_000);
  console.log(`2. em.cacheKey of a findOne by id, with no result cache configured: ${us(k.cacheKey)}`);
} finally {
  await closeKosha(kosha);
}

const db = new Database(':memory:');
db.exec('create table u (id integer primary key, name text, email text)');
const insert = db.prepare('insert into u (name, email) values (?, ?)');
for (let i = 0; i < 1000; i++) insert.run(`user ${i}`, `u${i}@example.com`);
const kept = db.prepare('select `e0`.* from `u` as `e0` where `e0`.`id` = ? limit 1');
const s = rounds(
  {
    inText: (i) =>
      db
        .prepare(`select \`e0\`.* from \`u\` as \`e0\` where \`e0\`.\`id\` = ${(i % 1000) + 1} limit 1`)
        .get(),
    bound: (i) => kept.get((i % 1000) + 1),
  },
  50_000,
);
console.log(
  `3. better-sqlite3, a read by id: the value in the text (prepared each call) ${us(s.inText)}; ` +
    `bound to a kept statement ${us(s.bound)} (${(s.inText / s.bound).toFixed(0)} ×)`,
);
db.close();
