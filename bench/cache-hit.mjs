#!/usr/bin/env node
// Benchmark: a `@cacheable` hit on a real Redis against a raw ioredis GET + JSON.parse of the same
// value, in the same run. Target: ratio ≤ 1.10. The decorated method is `@cacheable` alone: a hit
// never reaches the database (with `@transactional` around it, a hit would also open a transaction).
// REDIS_URL=redis://… (default redis://127.0.0.1:6379/0); keys live under a random prefix, removed at the end.
import { randomBytes } from 'node:crypto';
import { redisCache } from '@kosha/cache-redis';
import { cacheable, column, createdAt, createKosha, DbRepo, entity, id, table } from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';
import { Redis } from 'ioredis';
import { Bench } from 'tinybench';

class User {}
entity(User);
table('bench_cache_hit_users')(User);
id()(User.prototype, 'id');
column({ type: 'string', length: 100 })(User.prototype, 'name');
column({ type: 'string', length: 255 })(User.prototype, 'email');
createdAt()(User.prototype, 'createdAt');

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

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const quick = process.argv.includes('--quick');
const prefix = `kosha-bench-${randomBytes(4).toString('hex')}`;
const cache = redisCache({ url, keyPrefix: prefix });
const kosha = await createKosha({ orm: mikroOrm({ url: 'sqlite::memory:' }), cache, entities: [User] });
await kosha.schema.create();
const repo = new UserRepo();
const [user] = await repo.insertAll([{ name: 'Ada Lovelace', email: 'ada@example.com' }]);
await repo.get(user.id); // the miss that fills the cache

// The baseline reads the same data, as plain JSON, with a raw client: what an application would
// write by hand without Kosha.
const raw = new Redis(url);
const rawKey = `${prefix}:raw:user:${user.id}`;
await raw.set(rawKey, JSON.stringify({ ...user }), 'EX', 3600);

const tasks = {
  'ioredis GET + JSON.parse': async () => {
    const u = JSON.parse(await raw.get(rawKey));
    if (u.id !== user.id) throw new Error('wrong user');
  },
  'Kosha @cacheable hit': async () => {
    const u = await repo.get(user.id);
    if (!(u instanceof User)) throw new Error('not a User');
  },
};

// Rounds alternate the task order so drift (JIT, GC) hits both alike; the ratio is the median over
// rounds of the per-round mean latencies.
const rounds = quick ? 3 : 7;
const perRound = Object.fromEntries(Object.keys(tasks).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  const bench = new Bench({ time: quick ? 300 : 1500, warmupTime: quick ? 100 : 300 });
  const order = r % 2 ? Object.keys(tasks).reverse() : Object.keys(tasks);
  for (const name of order) bench.add(name, tasks[name]);
  await bench.run();
  for (const t of bench.tasks) perRound[t.name].push(t.result.latency.mean);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = 'ioredis GET + JSON.parse';
const ratio = median(perRound['Kosha @cacheable hit'].map((v, k) => v / perRound[base][k]));
const us = (name) => (median(perRound[name]) * 1000).toFixed(1);

console.log(`\n@cacheable hit on Redis (${rounds} rounds, median of per-round means)`);
console.log(`  ioredis GET + JSON.parse   ${us(base)} µs`);
console.log(
  `  Kosha @cacheable hit       ${us('Kosha @cacheable hit')} µs   ratio ${ratio.toFixed(3)} (target ≤ 1.10)`,
);
if (process.env.BENCH_JSON) {
  console.log(JSON.stringify({ scenario: '@cacheable hit on Redis', baseline: base, ratio, target: 1.1 }));
}

await cache.clearPrefix('');
raw.disconnect();
await kosha.close();
