import { column, createKosha, DbRepo, entity, gte, id, table } from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';
class User {}
entity(User); table('bench_find')(User);
id({ autoincrement: true })(User.prototype, 'id');
column({ type: 'string', length: 100 })(User.prototype, 'name');
column({ type: 'string', length: 20, index: true })(User.prototype, 'status');
column({ type: 'integer' })(User.prototype, 'age');
const kosha = await createKosha({ orm: mikroOrm({ url: process.env.DATABASE_URL || 'sqlite::memory:' }), entities: [User] });
await kosha.schema.drop().catch(() => {}); await kosha.schema.create();
class Repo extends DbRepo { constructor() { super(User, kosha); } }
const repo = new Repo();
const S = ['active', 'blocked', 'pending'];
await repo.insertAll(Array.from({ length: 2000 }, (_, i) => ({ name: `u${i}`, status: S[i % 3], age: 18 + ((i * 7) % 60) })));
const em = kosha.orm.orm.em;
const where = { status: 'active', age: gte(30) };
const tasks = {
  kosha: () => repo.find({ where, orderBy: { age: 'desc' }, limit: 20 }),
  raw: () => em.fork().find(User, { status: 'active', age: { $gte: 30 } }, { orderBy: { age: 'desc' }, limit: 20 }),
};
const only = process.env.ONLY; const N = Number(process.env.N ?? 5000);
const res = {};
for (let r = 0; r < 7; r++) for (const [k, f] of Object.entries(tasks)) { if (only && k !== only) continue; const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) await f(); (res[k] ??= []).push(Number(process.hrtime.bigint() - t) / N / 1000); }
const med = (xs) => [...xs].sort((a, b) => a - b)[3];
for (const k of Object.keys(res)) console.log(k, med(res[k]).toFixed(1), 'µs');
await kosha.schema.drop(); await kosha.close();
