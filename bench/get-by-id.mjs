#!/usr/bin/env node
// Benchmark 1: `repo.getById` (itself @transactional, read-only) against MikroORM's own
// `em.fork().findOne` on the same database, in the same run. Target: ratio ≤ 1.05.
// Also reported: the same read inside a user's @transactional method (a real BEGIN/COMMIT).
// SQLite in memory by default; DATABASE_URL=postgresql://… for PostgreSQL.
import { column, createKosha, DbRepo, entity, id, table, transactional } from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';
import { Bench } from 'tinybench';

class User {}
entity(User);
table('bench_users')(User);
id()(User.prototype, 'id');
column({ type: 'string', length: 100 })(User.prototype, 'name');
column({ type: 'string', length: 255 })(User.prototype, 'email');

class UserRepo extends DbRepo {
  constructor() {
    super(User);
  }
  async get(userId) {
    return this.getById(userId);
  }
}
// What `@transactional async get(id)` compiles to.
Object.defineProperty(
  UserRepo.prototype,
  'get',
  transactional(UserRepo.prototype, 'get', Object.getOwnPropertyDescriptor(UserRepo.prototype, 'get')),
);

const url = process.env.DATABASE_URL ?? 'sqlite::memory:';
const quick = process.argv.includes('--quick');
const kosha = await createKosha({ orm: mikroOrm({ url }), entities: [User], cache: false });
await kosha.schema.drop().catch(() => {});
await kosha.schema.create();
const repo = new UserRepo();
const rows = await repo.insertAll(
  Array.from({ length: 1000 }, (_, i) => ({ name: `user ${i}`, email: `u${i}@example.com` })),
);
const ids = rows.map((r) => r.id);
const em = kosha.orm.orm.em; // the backend's MikroORM instance: the baseline uses it directly
let i = 0;
const nextId = () => ids[i++ % ids.length];

const tasks = {
  'MikroORM em.fork().findOne': async () => {
    const u = await em.fork().findOne(User, { id: nextId() });
    if (!u) throw new Error('missing row');
  },
  'Kosha repo.getById': async () => {
    const u = await repo.getById(nextId());
    if (!u) throw new Error('missing row');
  },
  'MikroORM em.fork().transactional(findOne)': async () => {
    const u = await em.fork().transactional((tem) => tem.findOne(User, { id: nextId() }));
    if (!u) throw new Error('missing row');
  },
  'Kosha @transactional get() → getById': async () => {
    const u = await repo.get(nextId());
    if (!u) throw new Error('missing row');
  },
};

// Rounds alternate the tasks so drift (JIT, GC, thermal) hits all of them alike; the ratio is the
// median over rounds of the per-round mean latencies.
const rounds = quick ? 3 : 7;
const perRound = Object.fromEntries(Object.keys(tasks).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  const bench = new Bench({ time: quick ? 300 : 1000, warmupTime: quick ? 100 : 300 });
  const order = r % 2 ? Object.keys(tasks).reverse() : Object.keys(tasks);
  for (const name of order) bench.add(name, tasks[name]);
  await bench.run();
  for (const t of bench.tasks) perRound[t.name].push(t.result.latency.mean);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ratio = (name, baseName = 'MikroORM em.fork().findOne') =>
  median(perRound[name].map((v, k) => v / perRound[baseName][k]));
const us = (name) => (median(perRound[name]) * 1000).toFixed(1);

const dialect = kosha.orm.dialect;
console.log(`\ngetById on ${dialect} (${rounds} rounds, median of per-round means)`);
console.log(`  MikroORM em.fork().findOne            ${us('MikroORM em.fork().findOne')} µs`);
console.log(
  `  Kosha repo.getById                     ${us('Kosha repo.getById')} µs   ratio ${ratio('Kosha repo.getById').toFixed(3)} (target ≤ 1.05)`,
);
console.log(
  `  MikroORM em.fork().transactional(findOne) ${us('MikroORM em.fork().transactional(findOne)')} µs`,
);
console.log(
  `  Kosha @transactional get() → getById   ${us('Kosha @transactional get() → getById')} µs   ratio ${ratio('Kosha @transactional get() → getById', 'MikroORM em.fork().transactional(findOne)').toFixed(3)} against em.transactional (both BEGIN + COMMIT)`,
);
const result = {
  scenario: 'repo.getById through @transactional',
  dialect,
  baseline: 'MikroORM em.fork().findOne',
  ratio: ratio('Kosha repo.getById'),
  ratioWithTransaction: ratio(
    'Kosha @transactional get() → getById',
    'MikroORM em.fork().transactional(findOne)',
  ),
  target: 1.05,
};
if (process.env.BENCH_JSON) console.log(JSON.stringify(result));
await kosha.schema.drop();
await kosha.close();
