import { ConfigError } from '../errors.js';
import type { IsolationLevel } from '../orm/orm-backend.js';

/** Spring's propagation modes. */
export type Propagation =
  | 'REQUIRED'
  | 'REQUIRES_NEW'
  | 'NESTED'
  | 'MANDATORY'
  | 'SUPPORTS'
  | 'NOT_SUPPORTED'
  | 'NEVER';

/** The propagation modes, as values. */
export const PROPAGATIONS: readonly Propagation[] = [
  'REQUIRED',
  'REQUIRES_NEW',
  'NESTED',
  'MANDATORY',
  'SUPPORTS',
  'NOT_SUPPORTED',
  'NEVER',
];

/** The isolation levels, as values. */
export const ISOLATIONS: readonly IsolationLevel[] = [
  'DEFAULT',
  'READ_UNCOMMITTED',
  'READ_COMMITTED',
  'REPEATABLE_READ',
  'SERIALIZABLE',
];

/** An error class, or a predicate over the thrown value. */
export type ErrorMatcher = (abstract new (...args: any[]) => unknown) | ((error: unknown) => boolean);

/** Options of `@transactional` and `kosha.transaction`. */
export interface TransactionOptions {
  /** How to relate to a transaction already in progress. Default `REQUIRED`. */
  propagation?: Propagation | undefined;
  /** Isolation of a new transaction. Default: the database's. */
  isolation?: IsolationLevel | undefined;
  /**
   * Read-only: writes through the repository are refused. With the default isolation no physical
   * transaction is begun (each statement reads committed data, no BEGIN/COMMIT round trips, and
   * reads may go to a replica); give an `isolation` for one consistent snapshot across reads.
   */
  readOnly?: boolean | undefined;
  /** Seconds. Past the deadline the transaction is rolled back with `TransactionTimedOutError`. */
  timeout?: number | undefined;
  /** Errors that roll back (all do by default; use it to override a broader `noRollbackFor`). */
  rollbackFor?: readonly ErrorMatcher[] | undefined;
  /** Errors that do not roll back: the transaction commits and the error is rethrown. */
  noRollbackFor?: readonly ErrorMatcher[] | undefined;
}

/** Validated options with defaults applied. */
export interface TransactionDefinition {
  readonly propagation: Propagation;
  readonly isolation: IsolationLevel | undefined;
  readonly readOnly: boolean;
  readonly timeout: number | undefined;
  readonly rollbackFor: readonly ErrorMatcher[];
  readonly noRollbackFor: readonly ErrorMatcher[];
}

const KNOWN = new Set(['propagation', 'isolation', 'readOnly', 'timeout', 'rollbackFor', 'noRollbackFor']);

/** Validates transaction options, failing with a `ConfigError` that names the bad option. */
export function defineTransaction(
  options: TransactionOptions = {},
  where = '@transactional',
): TransactionDefinition {
  if (typeof options !== 'object' || options === null)
    throw new ConfigError(`${where}: options must be an object.`);
  for (const k of Object.keys(options)) {
    if (!KNOWN.has(k))
      throw new ConfigError(`${where}: unknown option "${k}". Known options: ${[...KNOWN].join(', ')}.`);
  }
  const propagation = options.propagation ?? 'REQUIRED';
  if (!PROPAGATIONS.includes(propagation)) {
    throw new ConfigError(
      `${where}: unknown propagation ${JSON.stringify(propagation)}. Use one of ${PROPAGATIONS.join(', ')}.`,
    );
  }
  if (options.isolation !== undefined && !ISOLATIONS.includes(options.isolation)) {
    throw new ConfigError(
      `${where}: unknown isolation ${JSON.stringify(options.isolation)}. Use one of ${ISOLATIONS.join(', ')}.`,
    );
  }
  if (options.timeout !== undefined && !(typeof options.timeout === 'number' && options.timeout > 0)) {
    throw new ConfigError(
      `${where}: timeout is in seconds and must be a positive number, got ${String(options.timeout)}.`,
    );
  }
  for (const key of ['rollbackFor', 'noRollbackFor'] as const) {
    const list = options[key];
    if (list !== undefined && (!Array.isArray(list) || list.some((m) => typeof m !== 'function'))) {
      throw new ConfigError(`${where}: ${key} must be an array of error classes or predicates.`);
    }
  }
  return {
    propagation,
    isolation: options.isolation === 'DEFAULT' ? undefined : options.isolation,
    readOnly: options.readOnly ?? false,
    timeout: options.timeout,
    rollbackFor: options.rollbackFor ?? [],
    noRollbackFor: options.noRollbackFor ?? [],
  };
}

function isErrorClass(m: ErrorMatcher): m is abstract new (...args: never[]) => unknown {
  return typeof m === 'function' && (m === Error || m.prototype instanceof Error);
}

// How close a matcher is to the thrown error: 0 for its own class, 1 for the parent…; predicates count as least specific.
function distance(m: ErrorMatcher, error: unknown): number {
  if (isErrorClass(m)) {
    let d = 0;
    for (
      let p = error === null || typeof error !== 'object' ? null : Object.getPrototypeOf(error);
      p;
      p = Object.getPrototypeOf(p), d++
    ) {
      if (p === m.prototype) return d;
    }
    return Number.POSITIVE_INFINITY;
  }
  return (m as (e: unknown) => boolean)(error) ? 1_000_000 : Number.POSITIVE_INFINITY;
}

/**
 * Spring's rule: the most specific matching rule wins; with no rule matching, every error rolls back
 * (JavaScript has no checked exceptions).
 */
export function rollsBackOn(def: TransactionDefinition, error: unknown): boolean {
  if (def.noRollbackFor.length === 0) return true;
  const best = (list: readonly ErrorMatcher[]) => Math.min(...list.map((m) => distance(m, error)));
  const no = best(def.noRollbackFor);
  if (no === Number.POSITIVE_INFINITY) return true;
  return best(def.rollbackFor) <= no;
}
