#!/usr/bin/env node
// Benchmark: a `@cacheable` hit on Redis against an uncached `repo.getById` on PostgreSQL, in the
// same run: the speed-up the cache buys. Both read the same rows by random id.
// DATABASE_URL=postgresql://… (default postgresql://postgres@127.0.0.1:5432/test; a table of its own,
// dropped at the end), REDIS_URL=redis://… (default redis://127.0.0.1:6379/0, keys under a random prefix).
import { randomBytes } from 'node:crypto';
import { redisCache } from '@kosha/cache-redis';
import { cacheable, column, createKosha, DbRepo, entity, id, table } from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';
import { Bench } from 'tinybench';

const suffix = randomBytes(4).toString('hex');
class User {}
entity(User);
table(`bench_cache_vs_db_${suffix}`)(User);
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
// What `@cacheable({ keyPrefix: 'user', ttl: 3600 }) async get(id)` compiles to.
Object.defineProperty(
  UserRepo.prototype,
  'get',
  cacheable({ keyPrefix: 'user', ttl: 3600 })(
    UserRepo.prototype,
    'get',
    Object.getOwnPropertyDescriptor(UserRepo.prototype, 'get'),
  ),
);

const dbUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const quick = process.argv.includes('--quick');
const cache = redisCache({ url: redisUrl, keyPrefix: `kosha-bench-${suffix}` });
const kosha = await createKosha({
  orm: mikroOrm({ url: dbUrl, pool: { min: 2, max: 10 } }),
  cache,
  entities: [User],
});
await kosha.schema.create();
const repo = new UserRepo();
const rows = await repo.insertAll(
  Array.from({ length: 1000 }, (_, i) => ({ name: `user ${i}`, email: `u${i}@example.com` })),
);
const ids = rows.map((r) => r.id);
for (const i of ids) await repo.get(i); // fill the cache
let n = 0;
const nextId = () => ids[n++ % ids.length];

const tasks = {
  'Kosha repo.getById (PostgreSQL)': async () => {
    if (!(await repo.getById(nextId()))) throw new Error('missing row');
  },
  'Kosha @cacheable hit (Redis)': async () => {
    if (!(await repo.get(nextId()))) throw new Error('missing row');
  },
};

const rounds = quick ? 3 : 5;
const perRound = Object.fromEntries(Object.keys(tasks).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  const bench = new Bench({ time: quick ? 300 : 1500, warmupTime: quick ? 100 : 300 });
  const order = r % 2 ? Object.keys(tasks).reverse() : Object.keys(tasks);
  for (const name of order) bench.add(name, tasks[name]);
  await bench.run();
  for (const t of bench.tasks) perRound[t.name].push(t.result.latency.mean);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const db = 'Kosha repo.getById (PostgreSQL)';
const hit = 'Kosha @cacheable hit (Redis)';
const speedup = median(perRound[db].map((v, k) => v / perRound[hit][k]));
const us = (name) => (median(perRound[name]) * 1000).toFixed(1);

console.log(
  `\n@cacheable hit against getById on ${kosha.orm.dialect} (${rounds} rounds, median of per-round means)`,
);
console.log(`  ${db}   ${us(db)} µs`);
console.log(`  ${hit}      ${us(hit)} µs   speed-up ×${speedup.toFixed(2)}`);
if (process.env.BENCH_JSON) console.log(JSON.stringify({ scenario: '@cacheable hit vs getById', speedup }));

await cache.clearPrefix('');
await kosha.schema.drop();
await kosha.close();
