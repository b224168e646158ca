/**
 * The error tree of Kosha. Every error has a stable `code`, a message that says what to do next,
 * and keeps the original error as `cause` where there is one.
 *
 * ```ts
 * try { await repo.findByField('emial' as never, 'x'); }
 * catch (e) { if (e instanceof UnknownFieldError) console.log(e.code); } // 'KOSHA_UNKNOWN_FIELD'
 * ```
 */
export class KoshaError extends Error {
  /** Stable machine-readable code, e.g. `KOSHA_CONFIG`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** Configuration is missing, malformed or names a plugin that is not installed. */
export class ConfigError extends KoshaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KOSHA_CONFIG', message, options);
  }
}

/** An argument of a Kosha call is out of range or of the wrong kind. */
export class InvalidArgumentError extends KoshaError {
  constructor(message: string) {
    super('KOSHA_INVALID_ARGUMENT', message);
  }
}

/** Entity mapping metadata is invalid (no `@id`, unknown column type, duplicate table…). */
export class MappingError extends KoshaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KOSHA_MAPPING', message, options);
  }
}

/** Code needed a session (unit of work) but none is bound to the current async context. */
export class NoSessionError extends KoshaError {
  constructor(message: string) {
    super('KOSHA_NO_SESSION', message);
  }
}

/** `MANDATORY` propagation was used with no transaction in progress. */
export class TransactionRequiredError extends KoshaError {
  constructor(message: string) {
    super('KOSHA_TRANSACTION_REQUIRED', message);
  }
}

/** A transaction operation is not allowed in the current state (e.g. `NEVER` inside a transaction). */
export class IllegalTransactionStateError extends KoshaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KOSHA_ILLEGAL_TRANSACTION_STATE', message, options);
  }

  /**
   * `REQUIRES_NEW` / `NOT_SUPPORTED` inside a transaction need a second connection, and the pool had
   * none to give within its acquire timeout (or has only one, held by the outer transaction).
   */
  static noSecondConnection(
    where: string,
    propagation: string,
    pool: string,
    cause?: unknown,
  ): IllegalTransactionStateError {
    return new IllegalTransactionStateError(
      `${where} asks for ${propagation} inside a transaction, which suspends the outer transaction and needs a ` +
        `second database connection while the first stays checked out, but ${pool}. Size the pool for it ` +
        '(pool.max ≥ concurrent requests × (1 + the REQUIRES_NEW depth)), or use REQUIRED or NESTED here.',
      cause === undefined ? undefined : { cause },
    );
  }
}

/**
 * Code ran on after the scope it belongs to had ended: the request whose client went away, the
 * transaction that already committed or rolled back, a parent that returned without awaiting it.
 * Its session is gone and Kosha never opens a new one behind its back, so nothing it does is saved.
 */
export class ScopeEndedError extends KoshaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KOSHA_SCOPE_ENDED', message, options);
  }

  /** The next Kosha call of code whose scope ended (`how`: why it ended). */
  static afterEnd(what: string, how: string): ScopeEndedError {
    return new ScopeEndedError(
      `${what} ran after its scope had ended (${how}). Nothing it does is saved, and Kosha does not open a ` +
        'new session for it. Await the work inside the request or transaction that started it, or start it ' +
        'outside any scope (a job or queue consumer) so that it opens its own transaction.',
    );
  }
}

/**
 * The connection was lost after COMMIT was sent and before the database answered: the transaction may
 * have been committed or not. Never treat it as "nothing was saved" — check before you retry a write.
 */
export class CommitUnknownError extends KoshaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KOSHA_COMMIT_UNKNOWN', message, options);
  }

  /** The COMMIT's reply was lost (`cause`: the connection error). */
  static replyLost(cause: unknown): CommitUnknownError {
    return new CommitUnknownError(
      'The database connection was lost while the transaction was committing, so whether it was committed is ' +
        'unknown: the changes may have been saved. Check (read the rows back) before you retry, or make the ' +
        'write idempotent (an upsert, an idempotency key).',
      { cause },
    );
  }
}

/** The transaction was marked rollback-only by an inner scope, so the outer commit rolled back instead. */
export class UnexpectedRollbackError extends KoshaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KOSHA_UNEXPECTED_ROLLBACK', message, options);
  }
}

/** The transaction ran past its `timeout` and was rolled back. */
export class TransactionTimedOutError extends KoshaError {
  constructor(message: string) {
    super('KOSHA_TRANSACTION_TIMEOUT', message);
  }
}

/** A repository was asked about a field the entity does not have. Raised before any SQL runs. */
export class UnknownFieldError extends KoshaError {
  /** The entity's name. */
  readonly entity: string;
  /** The field that was asked for. */
  readonly field: string;
  /** The fields the entity does have. */
  readonly validFields: readonly string[];

  constructor(entity: string, field: string, validFields: readonly string[]) {
    super(
      'KOSHA_UNKNOWN_FIELD',
      `${entity} has no field ${JSON.stringify(field)}. Valid fields: ${validFields.join(', ')}.`,
    );
    this.entity = entity;
    this.field = field;
    this.validFields = validFields;
  }
}

/** An entity that must exist does not. */
export class EntityNotFoundError extends KoshaError {
  constructor(message: string) {
    super('KOSHA_ENTITY_NOT_FOUND', message);
  }
}

/** A `@version` check failed: the row was changed by someone else since it was read. */
export class OptimisticLockError extends KoshaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KOSHA_OPTIMISTIC_LOCK', message, options);
  }
}

/** The cache failed in a way the caller must know about (most cache failures fail open instead). */
export class CacheError extends KoshaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KOSHA_CACHE', message, options);
  }
}

/**
 * A schema migration failed (`KOSHA_MIGRATION_FAILED`, naming it; the database error is the `cause`), or the
 * migration lock another instance holds was not released in time (`KOSHA_MIGRATION_LOCKED`).
 */
export class MigrationError extends KoshaError {
  /** The migration that failed; `undefined` for a lock timeout. */
  readonly migration: string | undefined;

  constructor(code: string, message: string, migration: string | undefined, options?: { cause?: unknown }) {
    super(code, message, options);
    this.migration = migration;
  }

  /** Migration `name` failed; `rolledBack`: the database undid its statements (transactional DDL). */
  static failed(name: string, direction: 'up' | 'down', rolledBack: boolean, cause: unknown): MigrationError {
    const reason = (cause as Error)?.message ?? String(cause);
    const after = rolledBack
      ? 'Its transaction was rolled back, so the database is as it was before it; the migrations applied before it stay applied. Fix it and run the migrations again.'
      : 'This database commits DDL as it runs (MySQL, MariaDB): the statements before the failing one stay applied. Check the schema, undo them by hand or make the migration idempotent, then run again.';
    return new MigrationError(
      'KOSHA_MIGRATION_FAILED',
      `Migration ${name} (${direction}) failed: ${reason}. ${after}`,
      name,
      { cause },
    );
  }

  /** Another instance's run held the migration lock longer than `seconds`. */
  static locked(lock: string, seconds: number, cause?: unknown): MigrationError {
    return new MigrationError(
      'KOSHA_MIGRATION_LOCKED',
      `Another instance held the migration lock (${lock}) for more than ${seconds} s, so this run gave up without ` +
        'applying anything. Wait for that run to end, or raise migrations.lockTimeout ([migrations] lock_timeout).',
      undefined,
      cause === undefined ? undefined : { cause },
    );
  }
}

/** A database driver error, translated. The driver's error is kept as `cause`. */
export class DatabaseError extends KoshaError {
  /** A coarse, driver-neutral classification of the failure. */
  readonly kind: DatabaseErrorKind;

  constructor(kind: DatabaseErrorKind, message: string, options?: { cause?: unknown }) {
    super(`KOSHA_DB_${kind.toUpperCase()}`, message, options);
    this.kind = kind;
  }
}

/** Classification of {@link DatabaseError}s. */
export type DatabaseErrorKind =
  | 'unique_violation'
  | 'foreign_key_violation'
  | 'not_null_violation'
  | 'check_violation'
  | 'deadlock'
  | 'lock_timeout'
  | 'connection'
  | 'acquire_timeout'
  | 'invalid_data'
  | 'syntax'
  | 'invalid_field'
  | 'read_only'
  | 'other';
