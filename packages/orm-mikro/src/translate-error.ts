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
import type { Platform } from '@mikro-orm/core';
import {
  classify,
  hasKnownCode,
  isDriverShaped,
  isMikroDriverException,
  isNamed,
  type Kind,
  NUL_IN_MESSAGE,
  tableProblem,
} from './error-kinds.js';

/** What the translation needs to know about the backend. */
export interface TranslationContext {
  /** Converts raw driver errors that MikroORM has not converted yet (statements Kosha sends itself). */
  readonly platform?: Platform;
  /** The connection password, hidden wherever it might appear in a driver message. */
  readonly secrets?: readonly string[];
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
  const table = tableProblem(error);
  if (table === 'missing') {
    return ' A table is missing: create the tables with kosha.schema.create() (or kosha.schema.update()).';
  }
  if (table === 'exists') return ' A table already exists: use kosha.schema.update(), or drop it first.';
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
  // By name, not `instanceof`: the error may come from another copy of @mikro-orm/core (see error-kinds.ts).
  if (isNamed(error, 'OptimisticLockError')) {
    const entity = (error as { entity?: object }).entity?.constructor?.name;
    return new OptimisticLockError(
      `${entity ? `${entity}: ` : ''}the row was changed or deleted by someone else since it was read ` +
        `(${hide(error.message, context.secrets)}). Reload it and apply the change again.`,
      { cause: error },
    );
  }
  if (isNamed(error, 'ValidationError')) return fromValidation(error) ?? error;
  let driverError: Error | undefined;
  if (isMikroDriverException(error)) driverError = error;
  else if (context.platform && isDriverShaped(error)) {
    driverError = context.platform
      .getExceptionConverter()
      .convertException(error as Error & { code?: string });
  } else if (isDriverShaped(error) && hasKnownCode(error)) driverError = error;
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
