import { column, DbRepo, entity, id, type Kosha, table } from '@kosha/core';
import type { MikroORM } from '@mikro-orm/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatementCache } from '../src/connection/sqlite-statements.js';
import { sqliteDatabaseOf } from '../src/internals/index.js';
import { DATABASES, openKosha } from './support/databases.js';

// SQLite's prepared statements kept by text (src/connection/sqlite-statements.ts).

@entity
@table('kept_rows')
class Row {
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
}
class Rows extends DbRepo<Row> {}

/** What these tests use of better-sqlite3 (a dependency of @mikro-orm/sqlite, not of this package). */
interface Statement {
  iterate(): Iterator<unknown>;
  all(): unknown[];
  pluck(): Statement;
}
interface NativeDb {
  prepare(sql: string): Statement;
  exec(sql: string): void;
}
type NativeDbClass = new (file: string) => NativeDb;

/** The backend's MikroORM (`kosha.orm.orm` of @kosha/orm-mikro). */
const mikroOf = (kosha: Kosha) => (kosha.orm as unknown as { orm: MikroORM }).orm;

const sqlite = DATABASES.find((d) => d.dialect === 'sqlite')!;
let env: Awaited<ReturnType<typeof openKosha>>;
let Database: NativeDbClass;
beforeAll(async () => {
  env = await openKosha(sqlite, [Row]);
  Database = (sqliteDatabaseOf(mikroOf(env.kosha).em.getConnection()) as object).constructor as NativeDbClass;
});
afterAll(() => env?.close());

function counted(db: NativeDb) {
  const prepared: string[] = [];
  const prepare = db.prepare.bind(db);
  return {
    prepared,
    db: Object.assign(Object.create(db) as NativeDb, {
      prepare: (sql: string) => {
        prepared.push(sql);
        return prepare(sql);
      },
    }),
  };
}

describe('StatementCache', () => {
  it('prepares a text once, and again only for a query while its statement is still iterating', () => {
    const raw = new Database(':memory:');
    raw.exec('create table t (x integer); insert into t values (1), (2), (3)');
    const { db, prepared } = counted(raw);
    const cache = new StatementCache(db as never);
    const first = cache.statement('select x from t') as unknown as Statement;
    expect(cache.statement('select x from t')).toBe(first);
    expect(prepared).toEqual(['select x from t']);
    const iterating = first.iterate();
    iterating.next();
    const other = cache.statement('select x from t') as unknown as Statement;
    expect(other).not.toBe(first);
    expect(other.all()).toEqual([{ x: 1 }, { x: 2 }, { x: 3 }]);
    iterating.return?.();
    expect(cache.statement('select x from t')).toBe(first);
  });

  it('keeps at most its size, dropping the oldest', () => {
    const raw = new Database(':memory:');
    const cache = new StatementCache(raw as never, 3);
    const a = cache.statement('select 1');
    const b = cache.statement('select 2');
    cache.statement('select 3');
    expect(cache.statement('select 1')).toBe(a);
    cache.statement('select 4'); // drops 'select 1', the oldest
    expect(cache.size).toBe(3);
    expect(cache.statement('select 2')).toBe(b);
    expect(cache.statement('select 1')).not.toBe(a);
  });
});

describe('SQLite statements under Kosha', () => {
  it('a read by id prepares its SELECT, BEGIN and COMMIT once, and an app statement on the native client is its own', async () => {
    {
      const rows = new Rows(Row, env.kosha);
      const [r] = await rows.insertAll([{ name: 'a' }]);
      const native = sqliteDatabaseOf(mikroOf(env.kosha).em.getConnection()) as NativeDb;
      const prepare = native.prepare.bind(native);
      const prepared: string[] = [];
      native.prepare = ((sql: string) => {
        prepared.push(sql);
        return prepare(sql);
      }) as never;
      for (let i = 0; i < 20; i++) {
        await env.kosha.transaction(async () => {
          expect((await rows.getById(r!.id))?.name).toMatch(/^(a|n[01])$/);
          await rows.updateWhere({ id: r!.id }, { name: `n${i % 2}` });
        });
      }
      const distinct = new Set(prepared);
      expect(prepared.length).toBe(distinct.size);
      // The application's own statement is not the one Kosha keeps: switching it to pluck changes nothing for Kosha.
      native.prepare('select "e0".* from "kept_rows" as "e0" where "e0"."id" = ? limit ?').pluck();
      expect((await rows.getById(r!.id))?.name).toMatch(/^n[01]$/);
    }
  });
});
