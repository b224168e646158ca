import type { DatabaseErrorKind } from '@kosha/core';

/*
 * Which kind of database error an error is, read from what it carries — the driver's SQLSTATE, errno
 * or code, and the class names up its prototype chain — never by `instanceof` of MikroORM's classes:
 * with two copies of @mikro-orm/core installed (pnpm gives each exact peer its own), the exception a
 * driver package builds is not an instance of the classes this package imports, and a bundler that
 * renames classes leaves only the fields. MikroORM's exceptions copy every field of the driver error,
 * so the codes below decide for its exceptions and for raw driver errors alike.
 */

/** A `DatabaseError` kind, or a statement cancelled by the transaction timeout. */
export type Kind = DatabaseErrorKind | 'timeout';

/** The fields of a driver error (pg, mysql2, better-sqlite3, or MikroORM's copy of them) the translation reads. */
export interface DriverFields {
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

/** A NUL inside the SQL text cuts PostgreSQL's C string short, so the server sees a malformed message (08P01). */
export const NUL_IN_MESSAGE = /invalid message format|insufficient data left in message|zero byte/i;

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

/**
 * `byFields` of the error, else of its causes (pg-pool keeps a connect timeout's socket error as `cause`):
 * the kinds that a code decides whatever class the error has (a lost connection, a refused value, a timeout).
 */
export function bySignals(error: DriverFields): Kind | undefined {
  let e: DriverFields | undefined = error;
  for (let depth = 0; e && depth < 4; depth++) {
    const kind = byFields(e);
    if (kind) return kind;
    e = typeof e.cause === 'object' && e.cause !== null ? (e.cause as DriverFields) : undefined;
  }
  return undefined;
}

// MikroORM's exception classes by name: each sets `name` to its class name, and its parents' names are
// those of the constructors up the prototype chain (a subclass with a name of its own is still found).
const BY_NAME: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ['UniqueConstraintViolationException', 'unique_violation'],
  ['ForeignKeyConstraintViolationException', 'foreign_key_violation'],
  ['NotNullConstraintViolationException', 'not_null_violation'],
  ['CheckConstraintViolationException', 'check_violation'],
  ['DeadlockException', 'deadlock'],
  ['LockWaitTimeoutException', 'lock_timeout'],
  ['ConnectionException', 'connection'],
  ['SyntaxErrorException', 'syntax'],
  ['InvalidFieldNameException', 'invalid_field'],
  ['NonUniqueFieldNameException', 'invalid_field'],
  ['ReadOnlyException', 'read_only'],
]);
// Their base and sibling classes, which are database errors of kind `other` (unless a code says more).
const OTHER_EXCEPTIONS: ReadonlySet<string> = new Set([
  'DriverException',
  'ServerException',
  'ConstraintViolationException',
  'DatabaseObjectExistsException',
  'DatabaseObjectNotFoundException',
  'TableExistsException',
  'TableNotFoundException',
  'RowLevelSecurityViolationException',
]);

/** The error's `name`, then the names of the classes it was built from, innermost first. */
export function errorNames(error: object): string[] {
  const names: string[] = [];
  const own = (error as { name?: unknown }).name;
  if (typeof own === 'string') names.push(own);
  for (
    let proto = Object.getPrototypeOf(error) as object | null, depth = 0;
    proto && proto !== Object.prototype && depth < 16;
    proto = Object.getPrototypeOf(proto) as object | null, depth++
  ) {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string' && name !== names.at(-1)) names.push(name);
  }
  return names;
}

/** The error is (or its class descends from a class) named `name`, whichever copy of the library made it. */
export function isNamed(error: object, name: string): boolean {
  return errorNames(error).includes(name);
}

/** The error is one of MikroORM's driver exceptions, by its class names. */
export function isMikroDriverException(error: Error): boolean {
  return errorNames(error).some((n) => BY_NAME.has(n) || OTHER_EXCEPTIONS.has(n));
}

function byName(error: Error): Kind | undefined {
  for (const name of errorNames(error)) {
    const kind = BY_NAME.get(name);
    if (kind) return kind;
  }
  return undefined;
}

// PostgreSQL's SQLSTATE (pg's `code`): the codes MikroORM's PostgreSqlExceptionConverter reads.
const PG_STATES: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ['40001', 'deadlock'],
  ['40P01', 'deadlock'],
  ['23502', 'not_null_violation'],
  ['23503', 'foreign_key_violation'],
  ['23505', 'unique_violation'],
  ['23514', 'check_violation'],
  ['42601', 'syntax'],
  ['42702', 'invalid_field'],
  ['42703', 'invalid_field'],
]);

// MySQL/MariaDB error numbers (mysql2's `errno`), as MikroORM's MySqlExceptionConverter groups them.
const MYSQL_ERRNOS: ReadonlyMap<number, Kind> = new Map<number, Kind>([
  ...[1213].map((n) => [n, 'deadlock'] as const),
  ...[1205].map((n) => [n, 'lock_timeout'] as const),
  ...[1216, 1217, 1451, 1452, 1701].map((n) => [n, 'foreign_key_violation'] as const),
  ...[3819, 4025].map((n) => [n, 'check_violation'] as const),
  ...[1062, 1557, 1569, 1586].map((n) => [n, 'unique_violation'] as const),
  ...[1054, 1166, 1611, 1052, 1060, 1110].map((n) => [n, 'invalid_field'] as const),
  ...[1064, 1149, 1287, 1341, 1342, 1343, 1344, 1382, 1479, 1541, 1554, 1626].map(
    (n) => [n, 'syntax'] as const,
  ),
  ...[1044, 1045, 1046, 1049, 1095, 1142, 1143, 1227, 1370, 1429, 2002, 2005].map(
    (n) => [n, 'connection'] as const,
  ),
  ...[1048, 1121, 1138, 1171, 1252, 1263, 1364, 1566].map((n) => [n, 'not_null_violation'] as const),
]);

// better-sqlite3's extended result codes (its `code`).
const SQLITE_CODES: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ['SQLITE_CONSTRAINT_UNIQUE', 'unique_violation'],
  ['SQLITE_CONSTRAINT_PRIMARYKEY', 'unique_violation'],
  ['SQLITE_CONSTRAINT_FOREIGNKEY', 'foreign_key_violation'],
  ['SQLITE_CONSTRAINT_NOTNULL', 'not_null_violation'],
  ['SQLITE_CONSTRAINT_CHECK', 'check_violation'],
  ['SQLITE_BUSY', 'lock_timeout'],
  ['SQLITE_LOCKED', 'lock_timeout'],
  ['SQLITE_CANTOPEN', 'connection'],
]);

// SQLite reports these as a plain SQLITE_ERROR: only its words tell them apart (as MikroORM reads them).
const SQLITE_WORDS: readonly (readonly [RegExp, Kind])[] = [
  [/syntax error|incomplete input/, 'syntax'],
  [/no such column|ambiguous column name|has no column named/, 'invalid_field'],
];

function byCode(error: DriverFields): Kind | undefined {
  const code = typeof error.code === 'string' ? error.code : undefined;
  const errno = typeof error.errno === 'number' ? error.errno : undefined;
  if (errno !== undefined) {
    const kind = MYSQL_ERRNOS.get(errno);
    if (kind) return kind;
  }
  if (code === undefined) return undefined;
  const kind = PG_STATES.get(code) ?? SQLITE_CODES.get(code);
  if (kind) return kind;
  // PostgreSQL files a foreign key that blocks a TRUNCATE as "feature not supported".
  if (code === '0A000' && /truncate/i.test(String(error.message))) return 'foreign_key_violation';
  if (code === 'SQLITE_ERROR') {
    const message = String(error.message);
    for (const [words, k] of SQLITE_WORDS) if (words.test(message)) return k;
  }
  return undefined;
}

/** A driver error whose code says it is a database error (see `byCode`, `bySignals`, `tableProblem`). */
export function hasKnownCode(error: Error): boolean {
  return byCode(error) !== undefined || bySignals(error) !== undefined || tableProblem(error) !== undefined;
}

/**
 * The kind of a database error: what its codes say of the connection and the values (`bySignals`),
 * else MikroORM's class (by name), else the driver's SQLSTATE / errno / code, else `other`.
 */
export function classify(error: Error): Kind {
  const kind = bySignals(error) ?? byName(error) ?? byCode(error);
  if (kind) return kind;
  // mysql2's sqlState, after MikroORM's classes: MySQL files "NULL into NOT NULL" (1263) under class 22 too.
  const sqlState = (error as DriverFields).sqlState;
  if (typeof sqlState === 'string' && sqlState.startsWith('22')) return 'invalid_data';
  return 'other';
}

/** A missing table, or one that already exists: by MikroORM's class or the driver's code. */
export function tableProblem(error: Error): 'missing' | 'exists' | undefined {
  const names = errorNames(error);
  const { code, errno } = error as DriverFields;
  const message = String(error.message);
  if (
    names.includes('TableNotFoundException') ||
    code === '42P01' ||
    errno === 1146 ||
    errno === 1051 ||
    (code === 'SQLITE_ERROR' && message.includes('no such table:'))
  ) {
    return 'missing';
  }
  if (
    names.includes('TableExistsException') ||
    code === '42P07' ||
    errno === 1050 ||
    (code === 'SQLITE_ERROR' && /table .* already exists/.test(message))
  ) {
    return 'exists';
  }
  return undefined;
}

/**
 * Errors from pg, mysql2 and better-sqlite3 carry a string `code` (SQLSTATE, ER_…, SQLITE_…) or a numeric
 * `errno`; those that say the connection is gone or the pool had none to give may carry neither.
 */
export function isDriverShaped(error: Error): boolean {
  const e = error as DriverFields;
  return (
    typeof e.code === 'string' ||
    typeof e.errno === 'number' ||
    CONNECTION_LOST.test(error.message) ||
    ACQUIRE_TIMEOUT.test(error.message)
  );
}
