import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DatabaseError, TransactionTimedOutError } from '@kosha/core';
import { DriverException, type Platform } from '@mikro-orm/core';
import { MariaDbPlatform } from '@mikro-orm/mariadb';
import { PostgreSqlPlatform } from '@mikro-orm/postgresql';
import { SqlitePlatform } from '@mikro-orm/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translateError } from '../src/index.js';

/*
 * Error translation reads an error's fields and class names, never `instanceof` of MikroORM's classes: with
 * two copies of @mikro-orm/core installed (pnpm gives each exact peer its own), the exception a driver
 * package builds is not an instance of the classes @kosha/orm-mikro imported. Each case below is an error
 * as the driver throws it (fields as pg 8.23, mysql2 3.24 and better-sqlite3 13 set them); the test turns
 * it into MikroORM's exception with the platform's real converter, then builds the same exception with a
 * second copy of MikroORM's exceptions module (loaded from a copy of its file, as pnpm would install it
 * twice), and from a class hierarchy of this file — once with MikroORM's class names, once with mangled
 * names (a minifier) — and every one must translate to the same kind.
 */

type ExceptionClass = new (previous: Error) => Error;
let secondCopy: Record<string, ExceptionClass>;
const copyDir = mkdtempSync(join(tmpdir(), 'kosha-mikro-copy-'));
beforeAll(async () => {
  const original = fileURLToPath(new URL('exceptions.js', import.meta.resolve('@mikro-orm/core')));
  writeFileSync(join(copyDir, 'package.json'), '{ "type": "module" }');
  copyFileSync(original, join(copyDir, 'exceptions.js'));
  secondCopy = await import(pathToFileURL(join(copyDir, 'exceptions.js')).href);
  expect(secondCopy.DriverException).not.toBe(DriverException);
});
afterAll(() => rmSync(copyDir, { recursive: true, force: true }));

type Fields = Record<string, unknown>;

const pg = (code: string, message: string): Fields => ({ name: 'error', code, severity: 'ERROR', message });
const mysql = (errno: number, code: string, sqlState: string, message: string): Fields => ({
  code,
  errno,
  sqlState,
  sqlMessage: message,
  message,
});
const sqlite = (code: string, message: string): Fields => ({ name: 'SqliteError', code, message });

const CASES: Readonly<Record<'postgresql' | 'mariadb' | 'sqlite', readonly (readonly [string, Fields])[]>> = {
  postgresql: [
    ['unique_violation', pg('23505', 'duplicate key value violates unique constraint "users_email_unique"')],
    [
      'foreign_key_violation',
      pg('23503', 'insert or update on table "pets" violates foreign key constraint'),
    ],
    [
      'not_null_violation',
      pg('23502', 'null value in column "name" of relation "users" violates not-null constraint'),
    ],
    [
      'check_violation',
      pg('23514', 'new row for relation "users" violates check constraint "users_age_check"'),
    ],
    ['deadlock', pg('40P01', 'deadlock detected')],
    ['deadlock', pg('40001', 'could not serialize access due to concurrent update')],
    ['lock_timeout', pg('55P03', 'canceling statement due to lock timeout')],
    ['connection', pg('57P01', 'terminating connection due to administrator command')],
    ['connection', pg('28P01', 'password authentication failed for user "app"')],
    ['syntax', pg('42601', 'syntax error at or near "selec"')],
    ['invalid_field', pg('42703', 'column "nope" does not exist')],
    ['invalid_field', pg('42702', 'column reference "id" is ambiguous')],
    ['read_only', pg('25006', 'cannot execute INSERT in a read-only transaction')],
    ['invalid_data', pg('22001', 'value too long for type character varying(5)')],
    ['timeout', pg('57014', 'canceling statement due to statement timeout')],
  ],
  mariadb: [
    ['unique_violation', mysql(1062, 'ER_DUP_ENTRY', '23000', "Duplicate entry 'a@b.c' for key 'email'")],
    [
      'foreign_key_violation',
      mysql(
        1452,
        'ER_NO_REFERENCED_ROW_2',
        '23000',
        'Cannot add or update a child row: a foreign key constraint fails',
      ),
    ],
    ['not_null_violation', mysql(1048, 'ER_BAD_NULL_ERROR', '23000', "Column 'name' cannot be null")],
    [
      'not_null_violation',
      mysql(1263, 'ER_WARN_NULL_TO_NOTNULL', '22004', 'NULL supplied to NOT NULL column'),
    ],
    ['check_violation', mysql(4025, 'ER_CONSTRAINT_FAILED', '23000', 'CONSTRAINT `users_age_check` failed')],
    ['deadlock', mysql(1213, 'ER_LOCK_DEADLOCK', '40001', 'Deadlock found when trying to get lock')],
    ['lock_timeout', mysql(1205, 'ER_LOCK_WAIT_TIMEOUT', 'HY000', 'Lock wait timeout exceeded')],
    [
      'connection',
      mysql(1045, 'ER_ACCESS_DENIED_ERROR', '28000', "Access denied for user 'app'@'localhost'"),
    ],
    ['syntax', mysql(1064, 'ER_PARSE_ERROR', '42000', 'You have an error in your SQL syntax')],
    ['invalid_field', mysql(1054, 'ER_BAD_FIELD_ERROR', '42S22', "Unknown column 'nope' in 'field list'")],
    ['invalid_field', mysql(1052, 'ER_NON_UNIQ_ERROR', '23000', "Column 'id' in field list is ambiguous")],
    [
      'read_only',
      mysql(
        1792,
        'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION',
        '25006',
        'Cannot execute statement in a READ ONLY transaction',
      ),
    ],
    ['invalid_data', mysql(1406, 'ER_DATA_TOO_LONG', '22001', "Data too long for column 'name' at row 1")],
    [
      'timeout',
      mysql(
        1969,
        'ER_STATEMENT_TIMEOUT',
        '70100',
        'Query execution was interrupted (max_statement_time exceeded)',
      ),
    ],
  ],
  sqlite: [
    ['unique_violation', sqlite('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed: users.email')],
    ['unique_violation', sqlite('SQLITE_CONSTRAINT_PRIMARYKEY', 'UNIQUE constraint failed: users.id')],
    ['foreign_key_violation', sqlite('SQLITE_CONSTRAINT_FOREIGNKEY', 'FOREIGN KEY constraint failed')],
    ['not_null_violation', sqlite('SQLITE_CONSTRAINT_NOTNULL', 'NOT NULL constraint failed: users.name')],
    ['check_violation', sqlite('SQLITE_CONSTRAINT_CHECK', 'CHECK constraint failed: age > 0')],
    ['lock_timeout', sqlite('SQLITE_BUSY', 'database is locked')],
    ['syntax', sqlite('SQLITE_ERROR', 'near "selec": syntax error')],
    ['invalid_field', sqlite('SQLITE_ERROR', 'no such column: nope')],
    ['read_only', sqlite('SQLITE_READONLY', 'attempt to write a readonly database')],
    [
      'invalid_data',
      sqlite('SQLITE_CONSTRAINT_DATATYPE', 'cannot store TEXT value in INTEGER column users.age'),
    ],
  ],
};

const PLATFORMS: Readonly<Record<keyof typeof CASES, Platform>> = {
  postgresql: new PostgreSqlPlatform(),
  mariadb: new MariaDbPlatform(),
  sqlite: new SqlitePlatform(),
};

/** The error as the driver throws it: a plain `Error` with the driver's fields. */
function driverError(fields: Fields): Error {
  const { message, ...rest } = fields;
  return Object.assign(new Error(String(message)), rest);
}

/** The class names of an error, from its own class up to (not including) `Error`. */
function classNames(error: Error): string[] {
  const names: string[] = [];
  for (let p = Object.getPrototypeOf(error); p && p !== Error.prototype; p = Object.getPrototypeOf(p)) {
    names.push(p.constructor.name);
  }
  return names;
}

/**
 * `exception` rebuilt from classes of this file alone, named `rename(name)` each, shaped as MikroORM's
 * DriverException makes them: every field of the driver error copied, `name` set to the class name.
 */
function lookalike(exception: Error, rename: (name: string, depth: number) => string): Error {
  let Base: new (previous: Error) => Error = class extends Error {
    constructor(previous: Error) {
      super(previous.message);
      Object.assign(this, previous);
      this.name = new.target.name;
    }
  };
  Object.defineProperty(Base, 'name', { value: rename('DriverException', 0) });
  const chain = classNames(exception).reverse();
  // The root is DriverException itself; each class below it extends the one above.
  for (const [depth, name] of chain.slice(1).entries()) {
    const Parent: new (previous: Error) => Error = Base;
    Base = class extends Parent {};
    Object.defineProperty(Base, 'name', { value: rename(name, depth + 1) });
  }
  const cause = Object.assign(new Error(exception.message), { ...exception });
  const copy = new Base(cause);
  expect(copy).not.toBeInstanceOf(DriverException);
  return copy;
}

const sameNames = (name: string) => name;
const mangled = (_name: string, depth: number) => String.fromCharCode(97 + depth);

function kindOf(error: Error): string {
  const translated = translateError(error);
  if (translated instanceof TransactionTimedOutError) return 'timeout';
  expect(translated, `${error.name}: ${error.message}`).toBeInstanceOf(DatabaseError);
  expect((translated as DatabaseError).cause).toBe(error);
  return (translated as DatabaseError).kind;
}

for (const [dialect, cases] of Object.entries(CASES) as [
  keyof typeof CASES,
  (typeof CASES)[keyof typeof CASES],
][]) {
  describe(`translateError on ${dialect} errors from any class hierarchy`, () => {
    const platform = PLATFORMS[dialect];

    it.each(cases)('%s: %o', (kind, fields) => {
      const raw = driverError(fields);
      const mikro = platform.getExceptionConverter().convertException(raw as Error & { code?: string });
      const flavours: Record<string, Error> = {
        'the driver error itself': driverError(fields),
        "MikroORM's exception": mikro,
        'the exception of a second copy of @mikro-orm/core': new secondCopy[mikro.constructor.name]!(
          driverError(fields),
        ),
        'the exception of a lookalike class with the same names': lookalike(mikro, sameNames),
        'the exception with its class names minified': lookalike(mikro, mangled),
      };
      for (const [what, error] of Object.entries(flavours)) expect(kindOf(error), what).toBe(kind);
      // A raw driver error that reaches the backend unconverted goes through its platform's converter.
      const viaPlatform = translateError(driverError(fields), { platform });
      expect(
        viaPlatform instanceof TransactionTimedOutError ? 'timeout' : (viaPlatform as DatabaseError).kind,
      ).toBe(kind);
    });
  });
}

describe('translateError on lookalikes: what the message says', () => {
  it("a missing table says to create the schema, whatever the exception's class is called", () => {
    for (const [fields, platform] of [
      [pg('42P01', 'relation "users" does not exist'), PLATFORMS.postgresql],
      [mysql(1146, 'ER_NO_SUCH_TABLE', '42S02', "Table 'test.users' doesn't exist"), PLATFORMS.mariadb],
      [sqlite('SQLITE_ERROR', 'no such table: users'), PLATFORMS.sqlite],
    ] as const) {
      const mikro = platform.getExceptionConverter().convertException(driverError(fields) as never);
      for (const error of [mikro, lookalike(mikro, sameNames), lookalike(mikro, mangled)]) {
        const translated = translateError(error) as DatabaseError;
        expect(translated.kind).toBe('other');
        expect(translated.message).toMatch(/kosha\.schema\.create\(\)/);
      }
    }
  });

  it("an optimistic lock failure of another copy of @mikro-orm/core is Kosha's OptimisticLockError", () => {
    class ValidationError extends Error {
      override name = 'ValidationError';
    }
    class OptimisticLockError extends ValidationError {
      override name = 'OptimisticLockError';
    }
    const translated = translateError(new OptimisticLockError('The optimistic lock on entity User failed'));
    expect((translated as Error).constructor.name).toBe('OptimisticLockError');
    expect((translated as { code?: string }).code).toBe('KOSHA_OPTIMISTIC_LOCK');
  });

  it('an error that is not about the database stays itself, whatever its fields', () => {
    for (const error of [
      Object.assign(new Error('no such file'), { code: 'ENOENT', errno: -2 }),
      Object.assign(new Error('bad input'), { code: 'ERR_INVALID_ARG_TYPE' }),
      new TypeError('x is not a function'),
    ]) {
      expect(translateError(error)).toBe(error);
    }
  });
});
