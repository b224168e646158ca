import {
  CommitUnknownError,
  ConfigError,
  DatabaseError,
  type DatabaseErrorKind,
  IllegalTransactionStateError,
  InvalidArgumentError,
  KoshaError,
  OptimisticLockError,
  redactSecrets,
  ScopeEndedError,
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

/** The fields of a driver error (pg, mysql2, better-sqlite3, or MikroORM's copy of them) the translation reads. */
interface DriverFields {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly errno?: unknown;
  readonly sqlState?: unknown;
  readonly sqlMessage?: unknown;
  readonly detail?: unknown;
  readonly fatal?: unknown;
  readonly cause?: unknown;
}

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
    'The database connection failed or was lost (the database rolls back a transaction that was in progress on it). ' +
    'Check that the database is running and reachable and that the URL, user and password are right, then retry.',
  acquire_timeout:
    'No database connection came free within pool.acquireTimeout: the pool is exhausted. Raise pool.max, shorten transactions, or raise acquireTimeout.',
  invalid_data:
    'The database refused a value: it does not fit its column (too long, out of range, not a valid number, date or JSON) or is not valid text. ' +
    'Fix the value; text must be valid Unicode without NUL characters on PostgreSQL.',
  syntax: 'The database rejected the SQL as invalid. If it came from this.em, check the query.',
  invalid_field:
    'The database or the mapping does not know a column or property. Check the name, or bring the tables in line with kosha.schema.update().',
  read_only:
    'A write was attempted in a read-only transaction. Run writes in a @transactional method without readOnly.',
  other: 'The database reported an error.',
  timeout:
    'A statement ran past the transaction timeout and was cancelled; the transaction will be rolled back. Raise `timeout` or make the work shorter.',
};

// A connection that is gone or never came up. Socket codes (pg and mysql2 hand them on as is); PostgreSQL:
// bad login, missing database, shutdown/admin termination, idle timeouts, too many connections; mysql2's codes.
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CONNECTION_KILLED',
  'ER_SERVER_SHUTDOWN',
  'ER_CLIENT_INTERACTION_TIMEOUT',
  'CR_SERVER_GONE_ERROR',
  'CR_SERVER_LOST',
  '28P01',
  '28000',
  '3D000',
  '57P01',
  '57P02',
  '57P03',
  '57P05',
  '25P03',
  '53300',
]);

// MySQL/MariaDB: too many connections, host blocked/not allowed, server shutdown, connection killed
// (MariaDB 1927), server gone away / lost (2006/2013), idle past wait_timeout (MySQL 8: 4031).
const CONNECTION_ERRNOS = new Set([1040, 1129, 1130, 1053, 1927, 2006, 2013, 4031]);

// MySQL/MariaDB: incorrect value (1366), data too long (1406), out of range (1264, 1690), incorrect
// datetime (1292), invalid JSON (3140), division by zero in strict mode (1365).
const INVALID_DATA_ERRNOS = new Set([1264, 1292, 1365, 1366, 1406, 1690, 3140]);

// better-sqlite3: STRICT tables' type check, a value over SQLITE_MAX_LENGTH.
const INVALID_DATA_CODES = new Set(['SQLITE_CONSTRAINT_DATATYPE', 'SQLITE_MISMATCH', 'SQLITE_TOOBIG']);

// Drivers that say a connection is gone without a code: pg 8 ("Client has encountered a connection error
// and is not queryable", "Client was closed…", "Connection terminated unexpectedly"), PostgreSQL's FATAL
// "terminating connection due to …", mysql2 3 ("Can't add new command when connection is in closed state"),
// better-sqlite3 ("The database connection is not open", a TypeError), Kysely ("driver has already been destroyed").
const CONNECTION_LOST =
  /is not queryable|connection terminated|terminating connection|connection is in closed state|connection lost|database connection is not open|driver has already been destroyed/i;

// pg-pool's checkout wait (connectionTimeoutMillis) ran out while every connection was in use.
const ACQUIRE_TIMEOUT = /timeout exceeded when trying to connect/i;

// A NUL inside the SQL text cuts PostgreSQL's C string short, so the server sees a malformed message (08P01).
const NUL_IN_MESSAGE = /invalid message format|insufficient data left in message|zero byte/i;

/** The kind that the error's code, errno or message alone decides, if any. */
function byFields(error: DriverFields): Kind | undefined {
  const code = typeof error.code === 'string' ? error.code : undefined;
  const errno = typeof error.errno === 'number' ? error.errno : undefined;
  const message = typeof error.message === 'string' ? error.message : '';
  if (code === '08P01' && NUL_IN_MESSAGE.test(message)) return 'invalid_data';
  if (code && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return 'connection';
  if (errno !== undefined && CONNECTION_ERRNOS.has(errno)) return 'connection';
  // mysql2 marks every error after which its connection is unusable as fatal.
  if (error.fatal === true) return 'connection';
  // SQLSTATE class 22 (PostgreSQL's `code`): data exception — too long, out of range, bad text, bad date…
  if (code && /^22[0-9A-Z]{3}$/.test(code)) return 'invalid_data';
  if ((errno !== undefined && INVALID_DATA_ERRNOS.has(errno)) || (code && INVALID_DATA_CODES.has(code)))
    return 'invalid_data';
  if (code === '25006' || errno === 1792) return 'read_only';
  if (code === '55P03') return 'lock_timeout';
  // 57014: PostgreSQL statement_timeout; 1969: MariaDB max_statement_time; 3024: MySQL max_execution_time.
  if (code === '57014' || errno === 1969 || errno === 3024) return 'timeout';
  if (/readonly database/i.test(message)) return 'read_only';
  // Only errors without a code: a constraint violation's message may quote a value that reads like these.
  if (code === undefined && errno === undefined) {
    if (ACQUIRE_TIMEOUT.test(message)) return 'acquire_timeout';
    if (CONNECTION_LOST.test(message)) return 'connection';
  }
  return undefined;
}

/** `byFields` of the error, else of its causes (pg-pool keeps a connect timeout's socket error as `cause`). */
function bySignals(error: DriverFields): Kind | undefined {
  let e: DriverFields | undefined = error;
  for (let depth = 0; e && depth < 4; depth++) {
    const kind = byFields(e);
    if (kind) return kind;
    e = typeof e.cause === 'object' && e.cause !== null ? (e.cause as DriverFields) : undefined;
  }
  return undefined;
}

// MikroORM's exception classes. They set `name` to the class name, which is matched first so that a second
// copy of @mikro-orm/core is understood too; `instanceof` is the fallback for subclasses with other names.
const BY_CLASS: readonly (readonly [abstract new (...args: never[]) => Error, Kind])[] = [
  [UniqueConstraintViolationException, 'unique_violation'],
  [ForeignKeyConstraintViolationException, 'foreign_key_violation'],
  [NotNullConstraintViolationException, 'not_null_violation'],
  [CheckConstraintViolationException, 'check_violation'],
  [DeadlockException, 'deadlock'],
  [LockWaitTimeoutException, 'lock_timeout'],
  [ConnectionException, 'connection'],
  [SyntaxErrorException, 'syntax'],
  [InvalidFieldNameException, 'invalid_field'],
  [NonUniqueFieldNameException, 'invalid_field'],
  [ReadOnlyException, 'read_only'],
];
const BY_NAME = new Map<string, Kind>(BY_CLASS.map(([Exception, kind]) => [Exception.name, kind]));
const OTHER_EXCEPTIONS = new Set([
  ...[DriverException, TableExistsException, TableNotFoundException].map((Exception) => Exception.name),
  'ServerException',
  'ConstraintViolationException',
  'DatabaseObjectExistsException',
  'DatabaseObjectNotFoundException',
  'RowLevelSecurityViolationException',
]);

function isMikroDriverException(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  return BY_NAME.has(error.name) || OTHER_EXCEPTIONS.has(error.name) || error instanceof DriverException;
}

function classify(error: Error): Kind {
  const signal = bySignals(error);
  if (signal) return signal;
  const named = BY_NAME.get(error.name);
  if (named) return named;
  for (const [Exception, kind] of BY_CLASS) if (error instanceof Exception) return kind;
  // mysql2's sqlState, after MikroORM's classes: MySQL files "NULL into NOT NULL" (1263) under class 22 too.
  const sqlState = (error as DriverFields).sqlState;
  if (typeof sqlState === 'string' && sqlState.startsWith('22')) return 'invalid_data';
  return 'other';
}

function hide(text: string, secrets: readonly string[] | undefined): string {
  let out = redactSecrets(text);
  // Short "passwords" would blank out ordinary words; four characters is where hiding starts to matter.
  for (const s of secrets ?? []) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

// The driver's message (mysql2 keeps it apart as `sqlMessage`), plus PostgreSQL's detail where MikroORM has not added it.
function databaseWords(error: Error): string {
  const e = error as Error & { sqlMessage?: string; detail?: string };
  const text = e.sqlMessage ?? e.message ?? '';
  return (e.detail && !text.includes(e.detail) ? `${text} (${e.detail})` : text).trim();
}

function extra(error: Error, kind: Kind): string {
  const is = (name: string, Exception: abstract new (...args: never[]) => Error) =>
    error.name === name || error instanceof Exception;
  if (is('TableNotFoundException', TableNotFoundException)) {
    return ' A table is missing: create the tables with kosha.schema.create() (or kosha.schema.update()).';
  }
  if (is('TableExistsException', TableExistsException))
    return ' A table already exists: use kosha.schema.update(), or drop it first.';
  if (kind === 'invalid_data' && (/\b0x00\b/.test(error.message) || NUL_IN_MESSAGE.test(error.message))) {
    return (
      ' A string contains a NUL character (U+0000), which PostgreSQL text cannot hold' +
      " (in the SQL text it cuts the statement short): remove it (str.replaceAll('\\u0000', '')) or store the value as bytes."
    );
  }
  return '';
}

function fromValidation(error: Error): KoshaError | undefined {
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

// Kosha's errors that the connection layer throws from inside MikroORM (a refused statement, a pool that
// had no connection to give) come back as a DriverException with their fields copied: rebuild them.
const KOSHA_ERRORS: Readonly<
  Record<string, new (message: string, options?: { cause?: unknown }) => KoshaError>
> = {
  KOSHA_INVALID_ARGUMENT: InvalidArgumentError,
  KOSHA_ILLEGAL_TRANSACTION_STATE: IllegalTransactionStateError,
  KOSHA_SCOPE_ENDED: ScopeEndedError,
  KOSHA_COMMIT_UNKNOWN: CommitUnknownError,
  KOSHA_TRANSACTION_TIMEOUT: TransactionTimedOutError,
  KOSHA_CONFIG: ConfigError,
};

function koshaCode(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('KOSHA_') ? code : undefined;
}

function rebuildKosha(error: Error, code: string): KoshaError {
  const { kind, cause } = error as { kind?: unknown; cause?: unknown };
  const options = cause === undefined ? undefined : { cause };
  if (code.startsWith('KOSHA_DB_') && typeof kind === 'string') {
    return new DatabaseError(kind as DatabaseErrorKind, error.message, options);
  }
  const Rebuilt = KOSHA_ERRORS[code];
  return Rebuilt ? new Rebuilt(error.message, options) : new KoshaError(code, error.message, options);
}

/**
 * Translates an error of MikroORM or a database driver into Kosha's error tree: `DatabaseError` with a
 * kind, `OptimisticLockError`, or `TransactionTimedOutError`. The original error is kept as `cause`;
 * the message says what happened and what to do, with credentials hidden. Kosha's own errors and
 * errors that are not about the database (a throwing user callback) come back unchanged; a Kosha error
 * that MikroORM wrapped on its way out of the connection layer comes back as the Kosha error it was.
 */
export function translateError(error: unknown, context: TranslationContext = {}): unknown {
  if (error instanceof KoshaError || !(error instanceof Error)) return error;
  const kosha = koshaCode(error);
  // A Kosha error of another copy of @kosha/core stays as it is; one that MikroORM wrapped is rebuilt.
  if (kosha) return isMikroDriverException(error) ? rebuildKosha(error, kosha) : error;
  if (error.name === 'OptimisticLockError' || error instanceof MikroOptimisticLockError) {
    const entity = (error as { entity?: object }).entity?.constructor?.name;
    return new OptimisticLockError(
      `${entity ? `${entity}: ` : ''}the row was changed or deleted by someone else since it was read ` +
        `(${hide(error.message, context.secrets)}). Reload it and apply the change again.`,
      { cause: error },
    );
  }
  if (error.name === 'ValidationError' || error instanceof ValidationError)
    return fromValidation(error) ?? error;
  let driverError: Error | undefined;
  if (isMikroDriverException(error)) driverError = error;
  else if (context.platform && isDriverShaped(error)) {
    driverError = context.platform
      .getExceptionConverter()
      .convertException(error as Error & { code?: string });
  } else if (isDriverShaped(error) && bySignals(error)) driverError = error;
  if (!driverError) return error;
  const kind = classify(driverError);
  const words = hide(databaseWords(driverError), context.secrets);
  if (kind === 'timeout') {
    const timedOut = new TransactionTimedOutError(`${ADVICE.timeout} (${words})`);
    Object.defineProperty(timedOut, 'cause', { value: error, configurable: true, writable: true });
    return timedOut;
  }
  return new DatabaseError(kind, `${ADVICE[kind]}${extra(driverError, kind)} Database said: ${words}`, {
    cause: error,
  });
}

// Errors from pg, mysql2 and better-sqlite3 carry a string `code` (SQLSTATE, ER_…, SQLITE_…) or a numeric
// `errno`; those that say the connection is gone or the pool had none to give may carry neither.
function isDriverShaped(error: Error): boolean {
  const e = error as DriverFields;
  return (
    typeof e.code === 'string' ||
    typeof e.errno === 'number' ||
    CONNECTION_LOST.test(error.message) ||
    ACQUIRE_TIMEOUT.test(error.message)
  );
}
