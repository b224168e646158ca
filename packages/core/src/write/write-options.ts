// The options of DbRepo's writes and lock-taking reads.

/** A row lock taken by a read: `select … for update` (`pessimistic_write`) or `for share` (`pessimistic_read`). */
export type LockMode = 'pessimistic_write' | 'pessimistic_read';

/** How a read locks the rows it returns. It needs a transaction (`@transactional`), whose end releases the locks. */
export interface LockOptions {
  /** Lock the rows read until the transaction ends. */
  lock?: LockMode | undefined;
  /** With `lock`: leave out rows another transaction holds locked instead of waiting (PostgreSQL, MySQL 8, MariaDB 10.6). */
  skipLocked?: boolean | undefined;
  /** With `lock`: fail at once (a `DatabaseError` of kind `lock_timeout`) instead of waiting for a locked row. */
  noWait?: boolean | undefined;
}

/** Reads of a soft-deleted entity (`@deletedAt`) leave deleted rows out unless asked. */
export interface WithDeletedOption {
  /** Include rows whose `@deletedAt` is set. */
  withDeleted?: boolean | undefined;
}

/** The options of `getById`. */
export interface GetByIdOptions extends LockOptions, WithDeletedOption {}

/** The options of `upsert`. */
export interface UpsertOptions<F extends string = string> {
  /** The unique key whose conflict turns the insert into an update: the primary key or a unique column. */
  onConflict: readonly F[];
  /** The fields an existing row takes from the new one; default: every field the row gives, but the key's. */
  update?: readonly F[] | undefined;
}

/** The options of `insertAll`. */
export interface InsertOptions {
  /**
   * Rows that collide with an existing row on any unique key are left out instead of failing the insert;
   * the result then holds only the rows inserted.
   */
  ignoreDuplicates?: boolean | undefined;
}
