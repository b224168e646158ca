import {
  DatabaseError,
  type DatabaseErrorKind,
  KoshaError,
  OptimisticLockError,
  redactSecrets,
  TransactionTimedOutError,
} from '@kosha/core';
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
  type Platform,
  ReadOnlyException,
  SyntaxErrorException,
  TableExistsException,
  TableNotFoundException,
  UniqueConstraintViolationException,
  ValidationError,
} from '@mikro-orm/core';

/** What the translation needs to know about the backend. */
export interface TranslationContext {
  /** Converts raw driver errors that MikroORM has not converted yet (statements Kosha sends itself). */
  readonly platform?: Platform;
  /** The connection password, hidden wherever it might appear in a driver message. */
  readonly secrets?: readonly string[];
}

/** A `DatabaseError` kind, or a statement cancelled by the transaction timeout. */
type Kind = DatabaseErrorKind | 'timeout';

const ADVICE: Record<Kind, string> = {
  unique_violation:
    'A row with the same unique value already exists. Use another value, or update the existing row instead of inserting.',
  foreign_key_violation:
    'A foreign key was violated: the row refers to a row that does not exist, or rows still refer to the one being deleted. ' +
    'Save the referenced row first, or delete (or re-point) the referring rows.',
  not_null_violation:
    'A required column got no value. Set the property before saving, or make the column nullable.',
  check_violation: 'A CHECK constraint rejected the row. Fix the value.',
  deadlock:
    'The transaction deadlocked or could not be serialized with a concurrent one. Retry the whole transaction.',
  lock_timeout: 'Waiting for a lock timed out. Retry later, and keep transactions that hold locks short.',
  connection:
    'The database connection failed. Check that the database is running and reachable and that the URL, user and password are right.',
  syntax: 'The database rejected the SQL as invalid. If it came from this.em, check the query.',
  invalid_field:
    'The database or the mapping does not know a column or property. Check the name, or bring the tables in line with kosha.schema.update().',
  read_only:
    'A write was attempted in a read-only transaction. Run writes in a @transactional method without readOnly.',
  other: 'The database reported an error.',
  timeout:
    'A statement ran past the transaction timeout and was cancelled; the transaction will be rolled back. Raise `timeout` or make the work shorter.',
};

// Codes MikroORM's converters leave as a plain DriverException: connection setup and read-only/timeout states.
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  '28P01',
  '28000',
  '3D000',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

function byCode(error: { code?: unknown; errno?: unknown; message?: string }): Kind | undefined {
  const code = typeof error.code === 'string' ? error.code : undefined;
  const errno = typeof error.errno === 'number' ? error.errno : undefined;
  if (code && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return 'connection';
  if (code === '25006' || errno === 1792) return 'read_only';
  if (code === '55P03') return 'lock_timeout';
  // 57014: PostgreSQL statement_timeout; 1969: MariaDB max_statement_time; 3024: MySQL max_execution_time.
  if (code === '57014' || errno === 1969 || errno === 3024) return 'timeout';
  if (errno === 1040 || errno === 1129 || errno === 1130) return 'connection';
  if (/readonly database/i.test(error.message ?? '')) return 'read_only';
  if (
    /connection terminated|timeout exceeded when trying to connect|driver has already been destroyed/i.test(
      error.message ?? '',
    )
  ) {
    return 'connection';
  }
  return undefined;
}

function classify(error: DriverException): Kind {
  const code = byCode(error);
  if (code) return code;
  if (error instanceof UniqueConstraintViolationException) return 'unique_violation';
  if (error instanceof ForeignKeyConstraintViolationException) return 'foreign_key_violation';
  if (error instanceof NotNullConstraintViolationException) return 'not_null_violation';
  if (error instanceof CheckConstraintViolationException) return 'check_violation';
  if (error instanceof DeadlockException) return 'deadlock';
  if (error instanceof LockWaitTimeoutException) return 'lock_timeout';
  if (error instanceof ConnectionException) return 'connection';
  if (error instanceof SyntaxErrorException) return 'syntax';
  if (error instanceof InvalidFieldNameException || error instanceof NonUniqueFieldNameException)
    return 'invalid_field';
  if (error instanceof ReadOnlyException) return 'read_only';
  return 'other';
}

function hide(text: string, secrets: readonly string[] | undefined): string {
  let out = redactSecrets(text);
  // Short "passwords" would blank out ordinary words; four characters is where hiding starts to matter.
  for (const s of secrets ?? []) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

// The driver's message (mysql2 keeps it apart as `sqlMessage`), plus PostgreSQL's detail where MikroORM has not added it.
function databaseWords(error: DriverException): string {
  const e = error as DriverException & { sqlMessage?: string; detail?: string };
  const text = e.sqlMessage ?? e.message ?? '';
  return (e.detail && !text.includes(e.detail) ? `${text} (${e.detail})` : text).trim();
}

function extra(error: DriverException): string {
  if (error instanceof TableNotFoundException) {
    return ' A table is missing: create the tables with kosha.schema.create() (or kosha.schema.update()).';
  }
  if (error instanceof TableExistsException)
    return ' A table already exists: use kosha.schema.update(), or drop it first.';
  return '';
}

function fromValidation(error: ValidationError): KoshaError | undefined {
  const required = /^Value for (\S+) is required, '([^']*)' found/.exec(error.message);
  if (required) {
    return new DatabaseError(
      'not_null_violation',
      `${required[1]} is required but is ${required[2]}. ${ADVICE.not_null_violation}`,
      { cause: error },
    );
  }
  const unknown = /^Entity '([^']+)' does not have property '([^']+)'/.exec(error.message);
  if (unknown) {
    return new DatabaseError(
      'invalid_field',
      `${unknown[1]} has no property "${unknown[2]}". ${ADVICE.invalid_field}`,
      {
        cause: error,
      },
    );
  }
  return undefined;
}

/**
 * Translates an error of MikroORM or a database driver into Kosha's error tree: `DatabaseError` with a
 * kind, `OptimisticLockError`, or `TransactionTimedOutError`. The original error is kept as `cause`;
 * the message says what happened and what to do, with credentials hidden. Kosha's own errors and
 * errors that are not about the database (a throwing user callback) come back unchanged.
 */
export function translateError(error: unknown, context: TranslationContext = {}): unknown {
  if (error instanceof KoshaError) return error;
  if (error instanceof MikroOptimisticLockError) {
    const entity = (error as { entity?: object }).entity?.constructor?.name;
    return new OptimisticLockError(
      `${entity ? `${entity}: ` : ''}the row was changed or deleted by someone else since it was read ` +
        `(${hide(error.message, context.secrets)}). Reload it and apply the change again.`,
      { cause: error },
    );
  }
  if (error instanceof ValidationError) return fromValidation(error) ?? error;
  let driverError: DriverException | undefined;
  if (error instanceof DriverException) driverError = error;
  else if (context.platform && isDriverShaped(error)) {
    driverError = context.platform
      .getExceptionConverter()
      .convertException(error as Error & { code?: string });
  }
  if (!driverError) return error;
  const kind = classify(driverError);
  const words = hide(databaseWords(driverError), context.secrets);
  if (kind === 'timeout') {
    const timedOut = new TransactionTimedOutError(`${ADVICE.timeout} (${words})`);
    Object.defineProperty(timedOut, 'cause', { value: error, configurable: true, writable: true });
    return timedOut;
  }
  return new DatabaseError(kind, `${ADVICE[kind]}${extra(driverError)} Database said: ${words}`, {
    cause: error,
  });
}

// Errors from pg, mysql2 and better-sqlite3 carry a string `code` (SQLSTATE, ER_…, SQLITE_…) or a numeric `errno`.
function isDriverShaped(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as { code?: unknown; errno?: unknown };
  return typeof e.code === 'string' || typeof e.errno === 'number';
}
