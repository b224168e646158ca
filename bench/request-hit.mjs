#!/usr/bin/env node
// `node bench/request-hit.mjs`: Kosha's own CPU in a cached request (scenario 4c) without the HTTP
// server, the load generator and Redis, whose share of a request on two shared cores is larger than
// the 5 % scenario 4c judges. In one process, ten callers at a time, CPU per call (`process.cpuUsage()`),
// medians of nine alternating rounds of 100,000 calls; the entries live in a Map, read through a
// provider that answers at once, so that only Kosha's work is left over the baseline:
// - raw:      the Map's entry, `JSON.parse`d (what scenario 4c's hand-written route does after its GET)
// - hit:      the seed's `@transactional @cacheable` read of the same entry, no session in context
// - scope:    a request scope (mode 'request': kosha.openSession, scope.run, finishNow or finish, close)
//             around the raw read — what the HTTP adapters add to any request
// - scopeHit: the request scope around the seed's read: scenario 4c's route without HTTP
// Not a scenario: it has no target; it shows where Kosha's part of 4c goes.
import { createKosha, memoryCache } from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';
import { defineUser, median, seedCachedRepo } from './lib/harness.mjs';

const User = await defineUser(`bench_request_hit_${process.pid}`);
const CachedUsers = await seedCachedRepo(User);

// An in-process provider that also keeps what Kosha wrote in a Map the baseline reads.
const written = new Map();
const memory = memoryCache();
const cache = {
  ...memory,
  get: (key) => memory.get(key),
  set: (key, value, ttl) => {
    written.set(key, value);
    return memory.set(key, value, ttl);
  },
  delete: (...keys) => memory.delete(...keys),
  clearPrefix: (prefix) => memory.clearPrefix(prefix),
};
const kosha = await createKosha({ orm: mikroOrm({ url: 'sqlite::memory:' }), entities: [User], cache });
await kosha.schema.create();
const users = new CachedUsers(kosha);
const rows = Array.from({ length: 1000 }, (_, i) => ({ name: `user ${i}`, email: `u${i}@example.com` }));
const ids = (await users.insertAll(rows)).map((u) => u.id);
for (const userId of ids) await kosha.transaction(() => users.get(userId)); // fill the cache

const json = (u) => ({ id: u.id, name: u.name, email: u.email });
// Kosha's entry is `k1:` + JSON; an entity's fields are under `v`.
const raw = async (userId) => json(JSON.parse((await written.get(`user:${userId}`)).slice(3)).v);
const hit = async (userId) => json(await users.get(userId));
const inScope = (read) => async (userId) => {
  const scope = await kosha.openSession({ transaction: true });
  try {
    const value = await scope.run(() => read(userId));
    if (!scope.finishNow({ statusCode: 200 })) await scope.finish({ statusCode: 200 });
    return value;
  } finally {
    void scope.close('its request ended');
  }
};
const tasks = { raw, hit, scope: inScope(raw), scopeHit: inScope(hit) };

const N = 100_000;
async function cpuPerCall(fn) {
  let n = 0;
  const t = process.cpuUsage();
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (n < N) await fn(ids[n++ % ids.length]);
    }),
  );
  const d = process.cpuUsage(t);
  return (d.user + d.system) / N;
}
for (const fn of Object.values(tasks)) await cpuPerCall(fn);
const per = Object.fromEntries(Object.keys(tasks).map((k) => [k, []]));
const names = Object.keys(tasks);
for (let r = 0; r < 9; r++)
  for (const k of r % 2 ? [...names].reverse() : names) per[k].push(await cpuPerCall(tasks[k]));
const us = (k) => median(per[k]);
for (const k of names) console.log(`${k.padEnd(8)} ${us(k).toFixed(2)} µs CPU a call`);
console.log(
  `Kosha's part: a hit ${(us('hit') - us('raw')).toFixed(2)} µs, the request scope ${(us('scope') - us('raw')).toFixed(2)} µs, ` +
    `a hit in a request ${(us('scopeHit') - us('raw')).toFixed(2)} µs`,
);
await kosha.close();
