// The quick start: one entity, one repository, the embedded defaults (SQLite in memory and the
// in-memory cache, or DATABASE_URL / REDIS_URL when set), a row saved and read back.
import {
  column,
  createdAt,
  createKosha,
  DbRepo,
  entity,
  type InsertRow,
  id,
  loadConfig,
  OptionalProps,
  redactUrl,
  repository,
  table,
  transactional,
  UnknownFieldError,
  version,
} from '@kosha/core';
import '@kosha/orm-mikro';

@entity
@table('users')
class User {
  // Filled in by Kosha on insert: a new row may leave them out.
  declare [OptionalProps]?: 'version' | 'createdAt';
  @id({ autoincrement: true }) id!: number;
  @column({ type: 'string', length: 100 }) name!: string;
  @column({ type: 'string', length: 255, unique: true }) email!: string;
  @version() version!: number;
  @createdAt() createdAt!: Date;
}

@repository
class UserRepo extends DbRepo<User> {
  constructor() {
    super(User);
  }

  @transactional
  async save(user: InsertRow<User>) {
    return (await this.insertAll([user]))[0]!;
  }

  @transactional({ readOnly: true })
  async findByEmail(email: string) {
    return this.findByField('email', email);
  }

  @transactional
  async rename(userId: number, name: string) {
    const user = await this.getById(userId);
    if (!user) return null;
    user.name = name;
    return this.update(user);
  }
}

const config = await loadConfig();
// A script has no HTTP request to open sessions: each @transactional call below opens its own, which
// Kosha reports once per method at warn level. The demo knows; it asks for errors only.
const kosha = await createKosha({ ...config, logLevel: 'error' });
await kosha.schema.create();
console.log(
  `database: ${redactUrl(config.orm.url)}   cache: ${config.cache ? redactUrl(config.cache.url) : 'off'}`,
);

const users = new UserRepo();
const ada = await users.save({ name: 'Ada Lovelace', email: 'ada@example.com' });
console.log(`saved     User #${ada.id} ${ada.name} <${ada.email}> (version ${ada.version})`);

const found = await users.findByEmail('ada@example.com');
console.log(`found     User #${found?.id} by email, created ${found?.createdAt.toISOString()}`);

const renamed = await users.rename(ada.id, 'Ada King');
console.log(`renamed   User #${renamed?.id} to ${renamed?.name} (version ${renamed?.version})`);

const failed = await kosha
  .transaction(async () => {
    await users.save({ name: 'Ghost', email: 'ghost@example.com' });
    throw new Error('payment declined');
  })
  .catch((e: Error) => e.message);
console.log(
  `rolled back a transaction that failed with "${failed}": ghost stored? ${(await users.findByEmail('ghost@example.com')) !== null}`,
);

const typo = await users.findByField('emial' as 'email', 'x').catch((e: unknown) => e);
console.log(`a typo in a field name: ${typo instanceof UnknownFieldError ? typo.message : String(typo)}`);

console.log(`users in the table: ${await users.count()}`);
await kosha.close();
