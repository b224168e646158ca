import { DatabaseError, KoshaError, OptimisticLockError, TransactionTimedOutError } from '@kosha/core';
import {
  CheckConstraintViolationException,
  ConnectionException,
  DeadlockException,
  DriverException,
  ForeignKeyConstraintViolationException,
  InvalidFieldNameException,
  LockWaitTimeoutException,
  OptimisticLockError as MikroOptimisticLockError,
  NonUniqueFieldNameException,
  NotNullConstraintViolationException,
  ReadOnlyException,
  SyntaxErrorException,
  TableNotFoundException,
  UniqueConstraintViolationException,
  ValidationError,
} from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { translateError } from '../src/index.js';

const driverError = (message: string, fields: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), fields);

describe('translateError', () => {
  it.each([
    [UniqueConstraintViolationException, 'unique_violation', /unique value already exists/],
    [ForeignKeyConstraintViolationException, 'foreign_key_violation', /foreign key/],
    [NotNullConstraintViolationException, 'not_null_violation', /required column/],
    [CheckConstraintViolationException, 'check_violation', /CHECK constraint/],
    [DeadlockException, 'deadlock', /Retry the whole transaction/],
    [LockWaitTimeoutException, 'lock_timeout', /lock timed out/],
    [ConnectionException, 'connection', /connection failed/],
    [SyntaxErrorException, 'syntax', /invalid/],
    [InvalidFieldNameException, 'invalid_field', /column or property/],
    [NonUniqueFieldNameException, 'invalid_field', /column or property/],
    [ReadOnlyException, 'read_only', /read-only/],
    [DriverException, 'other', /database reported an error/],
  ] as const)('%o is a DatabaseError of kind %s that says what to do', (Exception, kind, advice) => {
    const original = new Exception(driverError('the database words'));
    const translated = translateError(original) as DatabaseError;
    expect(translated).toBeInstanceOf(DatabaseError);
    expect(translated.kind).toBe(kind);
    expect(translated.code).toBe(`KOSHA_DB_${kind.toUpperCase()}`);
    expect(translated.message).toMatch(advice);
    expect(translated.message).toMatch(/Database said: the database words/);
    expect(translated.cause).toBe(original);
  });

  it('a missing table says to create the schema', () => {
    const translated = translateError(
      new TableNotFoundException(driverError('no such table: users')),
    ) as DatabaseError;
    expect(translated.kind).toBe('other');
    expect(translated.message).toMatch(/kosha\.schema\.create\(\)/);
  });

  it.each([
    ['PostgreSQL read-only transaction', { code: '25006' }, 'read_only'],
    ['MySQL read-only transaction', { errno: 1792 }, 'read_only'],
    ['PostgreSQL lock_timeout', { code: '55P03' }, 'lock_timeout'],
    ['PostgreSQL bad password', { code: '28P01' }, 'connection'],
    ['PostgreSQL missing database', { code: '3D000' }, 'connection'],
    ['a refused socket', { code: 'ECONNREFUSED' }, 'connection'],
    ['MySQL too many connections', { errno: 1040 }, 'connection'],
  ] as const)('%s (by its code) is kind %s', (_what, fields, kind) => {
    expect((translateError(new DriverException(driverError('x', fields))) as DatabaseError).kind).toBe(kind);
  });

  it.each([
    ['PostgreSQL statement_timeout', { code: '57014' }],
    ['MariaDB max_statement_time', { errno: 1969 }],
    ['MySQL max_execution_time', { errno: 3024 }],
  ] as const)('%s is a TransactionTimedOutError with the cause kept', (_what, fields) => {
    const original = new DriverException(driverError('interrupted', fields));
    const translated = translateError(original) as TransactionTimedOutError;
    expect(translated).toBeInstanceOf(TransactionTimedOutError);
    expect(translated.cause).toBe(original);
  });

  it("MikroORM's optimistic lock failure is Kosha's OptimisticLockError", () => {
    const original = MikroOptimisticLockError.lockFailed('Member');
    const translated = translateError(original);
    expect(translated).toBeInstanceOf(OptimisticLockError);
    expect((translated as Error).message).toMatch(/changed or deleted by someone else.*Reload/);
    expect((translated as Error).cause).toBe(original);
  });

  it("MikroORM's required-value check is a not_null_violation without the entity dump", () => {
    const original = new ValidationError(
      "Value for Member.name is required, 'undefined' found\nentity: Member { secret: 'x' }",
    );
    const translated = translateError(original) as DatabaseError;
    expect(translated.kind).toBe('not_null_violation');
    expect(translated.message).toMatch(/^Member\.name is required but is undefined\./);
    expect(translated.message).not.toMatch(/secret/);
  });

  it("keeps the database's words, with PostgreSQL's detail", () => {
    const original = new UniqueConstraintViolationException(
      driverError('duplicate key value violates unique constraint "users_email_unique"', {
        detail: 'Key (email)=(a@b.c) already exists.',
      }),
    );
    expect((translateError(original) as Error).message).toMatch(
      /Database said: duplicate key value violates unique constraint "users_email_unique" \(Key \(email\)=\(a@b\.c\) already exists\.\)$/,
    );
  });

  it('hides credentials: URLs with passwords and the configured password itself', () => {
    const original = new ConnectionException(
      driverError('could not reach postgresql://app:hunter2-secret@db/app; auth hunter2-secret rejected'),
    );
    const message = (translateError(original, { secrets: ['hunter2-secret'] }) as Error).message;
    expect(message).not.toMatch(/hunter2/);
    expect(message).toMatch(/postgresql:\/\/app:\*\*\*@db\/app/);
  });

  it("leaves Kosha's own errors and errors that are not about the database alone", () => {
    const kosha = new KoshaError('KOSHA_X', 'x');
    const plain = new TypeError('user code broke');
    expect(translateError(kosha)).toBe(kosha);
    expect(translateError(plain)).toBe(plain);
    expect(translateError('a string')).toBe('a string');
  });
});
