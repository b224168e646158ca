import { AsyncLocalStorage } from 'node:async_hooks';
import { redisCache } from '@kosha/cache-redis';
import { cacheable, column, createKosha, DbRepo, entity, id, table, transactional } from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';
import { decorate, redisClient } from '../lib/harness.mjs';
class User {}
entity(User); table('bench_req')(User);
id({ autoincrement: true })(User.prototype, 'id');
column({ type: 'string', length: 100 })(User.prototype, 'name');
column({ type: 'string', length: 255 })(User.prototype, 'email');
class Cached extends DbRepo { constructor(k) { super(User, k); } async get(i) { return this.getById(i); } }
decorate(Cached, 'get', cacheable({ keyPrefix: 'user', ttl: 3600 }));
decorate(Cached, 'get', transactional);
const client = await redisClient({ redisUrl: undefined });
const prefix = 'p';
const kosha = await createKosha({ orm: mikroOrm({ url: 'sqlite::memory:' }), entities: [User], cache: redisCache({ client, keyPrefix: prefix }) });
await kosha.schema.create();
const repo = new Cached(kosha);
const [u] = await new (class extends DbRepo { constructor() { super(User, kosha); } })().insertAll([{ name: 'a', email: 'b' }]);
await kosha.transaction(() => repo.get(u.id));
const als = new AsyncLocalStorage();
const raw = async () => JSON.parse((await client.get(`${prefix}:user:${u.id}`)).slice(3)).v;
const floor = async () => { const s = await Promise.resolve({}); return als.run(s, raw); };
const req = async () => { const scope = await kosha.openSession({ transaction: true }); try { return await scope.run(() => repo.get(u.id)); } finally { await scope.finish({ statusCode: 200 }); void scope.close('x'); } };
const bg = () => repo.get(u.id);
const tasks = process.env.ONLY ? { [process.env.ONLY]: { raw, floor, req, bg }[process.env.ONLY] } : { raw, floor, req, bg };
const N = 100000;
const res = Object.fromEntries(Object.keys(tasks).map((k) => [k, []]));
for (let r = 0; r < 7; r++) for (const [k, f] of Object.entries(tasks)) { const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) await f(); res[k].push(Number(process.hrtime.bigint() - t) / N); }
const med = (xs) => [...xs].sort((a, b) => a - b)[3];
for (const k of Object.keys(tasks)) console.log(k, med(res[k]).toFixed(0), 'ns');
await kosha.close();
