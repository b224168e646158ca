import { column, createKosha, DbRepo, entity, gte, id, table } from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';
class User {}
entity(User); table('bench_find')(User);
id({ autoincrement: true })(User.prototype, 'id');
column({ type: 'string', length: 100 })(User.prototype, 'name');
column({ type: 'string', length: 20, index: true })(User.prototype, 'status');
column({ type: 'integer' })(User.prototype, 'age');
const kosha = await createKosha({ orm: mikroOrm({ url: process.env.DATABASE_URL || 'sqlite::memory:', debug: true }), entities: [User], logger: { debug: (m) => console.log(m), info() {}, warn: console.warn, error: console.error } });
await kosha.schema.drop().catch(() => {}); await kosha.schema.create();
class Repo extends DbRepo { constructor() { super(User, kosha); } }
const repo = new Repo();
console.log('--- kosha'); await repo.find({ where: { status: 'active', age: gte(30) }, orderBy: { age: 'desc' }, limit: 20 });
console.log('--- raw'); await kosha.orm.orm.em.fork().find(User, { status: 'active', age: { $gte: 30 } }, { orderBy: { age: 'desc' }, limit: 20 });
await kosha.schema.drop(); await kosha.close();
