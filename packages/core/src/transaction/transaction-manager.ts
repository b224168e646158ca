import { type TransactionEvent, traced, transactionChannel } from '../diagnostics/channels.js';
import { DatabaseError, IllegalTransactionStateError, TransactionRequiredError } from '../errors.js';
import { contextStore, currentEvent, type Frame, liveFrame, type TransactionHost } from './frames.js';
import { rollsBackOn, type TransactionDefinition } from './transaction-options.js';
import { TransactionScope } from './transaction-scope.js';
import { UnitOfWork } from './unit-of-work.js';

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * What a cache read found absent: `load` runs the method (and caches its result) in the transaction
 * that is begun for it.
 */
export class CacheMiss {
  constructor(readonly load: () => Promise<unknown>) {}
}

/**
 * A read a method can answer before any transaction is begun (an inner `@cacheable`): its value, or a
 * {@link CacheMiss}. `undefined` when there is nothing to read (caching is off).
 */
export type EarlyRead = () => Promise<unknown> | undefined;

/**
 * Runs `fn` under a transaction definition with Spring's propagation semantics. `label` names the
 * decorated method in messages and in the once-per-method warning of the background path (`quiet`: no
 * warning, for the repository's built-ins).
 */
export function executeTransactional<T>(
  host: TransactionHost,
  def: TransactionDefinition,
  fn: () => Promise<T>,
  label?: string,
  quiet = false,
  early?: EarlyRead,
): Promise<T> {
  let frame: Frame | undefined;
  try {
    frame = liveFrame(host, label);
  } catch (error) {
    return Promise.reject(error);
  }
  const scope = frame?.scope && !frame.scope.tx.completed ? frame.scope : undefined;
  switch (def.propagation) {
    case 'REQUIRED':
      if (scope) return join(scope, def, fn);
      return early
        ? readFirst(host, frame, def, fn, label, early)
        : begin(host, frame, def, fn, label, { quiet });
    case 'SUPPORTS':
      return scope ? join(scope, def, fn) : withoutTransaction(host, frame, fn);
    case 'MANDATORY':
      if (!scope) {
        return Promise.reject(
          new TransactionRequiredError(
            `${label ?? 'This code'} needs a transaction in progress (propagation MANDATORY): call it from a @transactional method.`,
          ),
        );
      }
      return join(scope, def, fn);
    case 'REQUIRES_NEW':
      if (!scope)
        return early ? readFirst(host, frame, def, fn, label, early) : begin(host, frame, def, fn, label);
      return suspend(host, scope, 'REQUIRES_NEW', label, () =>
        begin(host, frame, def, fn, label, { ownUnit: true }),
      );
    case 'NOT_SUPPORTED':
      if (!scope) return withoutTransaction(host, frame, fn);
      return suspend(host, scope, 'NOT_SUPPORTED', label, () =>
        withoutTransaction(host, frame, fn, { ownUnit: true }),
      );
    case 'NEVER':
      if (scope) {
        return Promise.reject(
          new IllegalTransactionStateError(
            `${label ?? 'This code'} must not run inside a transaction (propagation NEVER), but one is in progress.`,
          ),
        );
      }
      return withoutTransaction(host, frame, fn);
    case 'NESTED':
      if (scope) return nested(host, frame!, scope, def, fn, label);
      return early ? readFirst(host, frame, def, fn, label, early) : begin(host, frame, def, fn, label);
  }
}

/**
 * A new transaction around a method that a cache read may answer (`@transactional @cacheable`): the read
 * comes first, and only a miss begins the transaction, whose load then runs in it. A transaction begun
 * for a hit would run no statement, send nothing and change nothing (its hooks are the method's, which
 * does not run), so not beginning it is the same to every observer — and costs the hit nothing. A
 * `timeout` is the exception: it times the whole call, so it keeps the transaction around the read.
 */
function readFirst<T>(
  host: TransactionHost,
  frame: Frame | undefined,
  def: TransactionDefinition,
  fn: () => Promise<T>,
  label: string | undefined,
  early: EarlyRead,
): Promise<T> {
  if (def.timeout !== undefined) return begin(host, frame, def, fn, label);
  let read: Promise<unknown> | undefined;
  try {
    read = early();
  } catch (error) {
    return Promise.reject(error);
  }
  if (!read) return begin(host, frame, def, fn, label);
  if (!frame) warnDetached(host, label);
  return read.then((found) => {
    if (!(found instanceof CacheMiss)) return found as T;
    // The read took a round trip: the session in context may have ended meanwhile (its client left).
    liveFrame(host, label);
    return begin(host, frame, def, found.load as () => Promise<T>, label, { quiet: true });
  });
}

/**
 * Runs `work` (a new unit of work beside the outer transaction's) with the outer transaction suspended.
 * It needs a second connection while the outer one keeps its own: where the database has one connection,
 * or the pool has one slot, that can never come, so it fails at once; where the pool is merely exhausted,
 * the wait is bounded by the acquire timeout and fails with the same clear error.
 */
function suspend<T>(
  host: TransactionHost,
  outer: TransactionScope,
  mode: 'REQUIRES_NEW' | 'NOT_SUPPORTED',
  label: string | undefined,
  work: () => Promise<T>,
): Promise<T> {
  const where = label ?? 'This code';
  const caps = host.orm.capabilities;
  if (!outer.tx.virtual) {
    if (!caps.concurrentTransactions) {
      return Promise.reject(
        new IllegalTransactionStateError(
          `${where} asks for ${mode} inside a transaction, which needs a second database connection, ` +
            `but ${host.orm.dialect} has only one (it would wait forever). Use REQUIRED or NESTED here, ` +
            'or run against PostgreSQL or MySQL/MariaDB.',
        ),
      );
    }
    if (caps.maxConnections === 1) {
      return Promise.reject(
        IllegalTransactionStateError.noSecondConnection(
          where,
          mode,
          'the pool has one connection (pool.max = 1) and the outer transaction holds it',
        ),
      );
    }
  }
  return work().catch((error: unknown) => {
    if (error instanceof DatabaseError && error.kind === 'acquire_timeout') {
      throw IllegalTransactionStateError.noSecondConnection(where, mode, noneFree(host), error);
    }
    throw error;
  });
}

function noneFree(host: TransactionHost): string {
  const stats = host.orm.poolStats?.();
  const size = host.orm.capabilities.maxConnections;
  return (
    `no connection came free within the acquire timeout` +
    (size ? ` (pool.max = ${size}${stats ? `, ${stats.total - stats.idle} in use` : ''})` : '')
  );
}

// A promise chain rather than an async function: a cache hit inside a request's transaction runs this.
function join<T>(scope: TransactionScope, def: TransactionDefinition, fn: () => Promise<T>): Promise<T> {
  const failed = (error: unknown): never => {
    if (rollsBackOn(def, error)) scope.markRollbackOnly();
    throw error;
  };
  let work: Promise<T>;
  try {
    scope.checkDeadline();
    work = fn();
  } catch (error) {
    return Promise.reject(error).catch(failed);
  }
  return work.then(undefined, failed);
}

function warnDetached(host: TransactionHost, label: string | undefined) {
  if (!label || host.detachedWarned.has(label)) return;
  host.detachedWarned.add(label);
  host.logger.warn(
    `${label} ran with no session in context (a job, a script or a queue consumer): ` +
      'it opened its own session and transaction. This is logged once per method.',
  );
}

/** Opens a unit of work of its own, a child of the one in context (it ends when that one does). */
function openUnit(host: TransactionHost, frame: Frame | undefined, readOnly: boolean): UnitOfWork {
  return new UnitOfWork(host, host.orm.openSession({ readOnly }), frame?.unit);
}

// A promise chain rather than an async function: this runs on every transaction (a cache hit inside one
// included), and each await of an async function costs ticks.
function begin<T>(
  host: TransactionHost,
  frame: Frame | undefined,
  def: TransactionDefinition,
  fn: () => Promise<T>,
  label: string | undefined,
  options: { ownUnit?: boolean; quiet?: boolean } = {},
): Promise<T> {
  if (!transactionChannel.hasSubscribers) return beginUntraced(host, frame, def, fn, label, options);
  const event = transactionEvent(host, def, label, false);
  return traced(
    transactionChannel,
    event,
    () => beginUntraced(host, frame, def, fn, label, options, event),
    settled,
  );
}

function transactionEvent(
  host: TransactionHost,
  def: TransactionDefinition,
  label: string | undefined,
  nested: boolean,
): TransactionEvent {
  return {
    kind: 'transaction',
    name: label ?? 'kosha.transaction',
    propagation: def.propagation,
    isolation: def.isolation,
    readOnly: def.readOnly,
    timeout: def.timeout,
    nested,
    dialect: host.orm.dialect,
    parent: currentEvent(),
  };
}

/** A failed commit ends the transaction all the same: rolled back (or, with a lost reply, unknown). */
const settled = (event: TransactionEvent): void => {
  event.outcome ??= 'rollback';
};

function beginUntraced<T>(
  host: TransactionHost,
  frame: Frame | undefined,
  def: TransactionDefinition,
  fn: () => Promise<T>,
  label: string | undefined,
  options: { ownUnit?: boolean; quiet?: boolean },
  event?: TransactionEvent,
): Promise<T> {
  const reuse = options.ownUnit ? undefined : frame?.unit;
  if (!frame && !options.quiet) warnDetached(host, label);
  const virtual = def.readOnly && def.isolation === undefined;
  const unit = reuse ?? openUnit(host, frame, virtual);
  const deadline = def.timeout === undefined ? undefined : Date.now() + def.timeout * 1000;
  const scope = TransactionScope.begin(host, unit, { virtual, readOnly: def.readOnly, deadline });
  const inside: Frame = { host, unit, scope, parent: contextStore.get(), trace: event };
  const end = (): Promise<void> => {
    scope.end('its transaction ended');
    return reuse ? RESOLVED : unit.close(`its ${label ?? 'transaction'} ended`);
  };
  const failed = (error: unknown): Promise<never> => {
    // noRollbackFor: commit what was done; the caller's error is rethrown all the same.
    const rollback = scope.rollbackOnly || rollsBackOn(def, error);
    return (rollback ? scope.rollback() : scope.commit()).then(() => {
      if (event) event.outcome = rollback ? 'rollback' : 'commit';
      throw error;
    });
  };
  const run = (): Promise<T> => {
    let work: Promise<T>;
    try {
      work = contextStore.run(inside, fn);
    } catch (error) {
      work = Promise.reject(error);
    }
    return work.then(
      (result) =>
        scope.commit().then(() => {
          if (event) event.outcome = 'commit';
          return result;
        }),
      failed,
    );
  };
  let began: Promise<void>;
  try {
    began = virtual
      ? RESOLVED
      : unit.session.begin({
          isolation: def.isolation,
          readOnly: def.readOnly,
          timeout: def.timeout,
          deadline,
        });
  } catch (error) {
    began = Promise.reject(error);
  }
  return began.then(run).then(
    (result) => end().then(() => result),
    (error: unknown) =>
      end().then(() => {
        throw error;
      }),
  );
}

async function withoutTransaction<T>(
  host: TransactionHost,
  frame: Frame | undefined,
  fn: () => Promise<T>,
  options: { ownUnit?: boolean } = {},
): Promise<T> {
  const reuse = options.ownUnit ? undefined : frame?.unit;
  const unit = reuse ?? openUnit(host, frame, false);
  try {
    return await contextStore.run({ host, unit, scope: undefined, parent: contextStore.get() }, fn);
  } finally {
    if (!reuse) await unit.close('the call that opened its session returned');
  }
}

async function nested<T>(
  host: TransactionHost,
  frame: Frame,
  outer: TransactionScope,
  def: TransactionDefinition,
  fn: () => Promise<T>,
  label: string | undefined,
): Promise<T> {
  if (!outer.tx.virtual && !host.orm.capabilities.savepoints) {
    throw new IllegalTransactionStateError(
      `NESTED needs savepoints, which ${host.orm.dialect} does not offer here.`,
    );
  }
  if (!transactionChannel.hasSubscribers) return savepointScope(host, frame, outer, def, fn);
  const event = transactionEvent(host, def, label, true);
  return traced(transactionChannel, event, () => savepointScope(host, frame, outer, def, fn, event), settled);
}

async function savepointScope<T>(
  host: TransactionHost,
  frame: Frame,
  outer: TransactionScope,
  def: TransactionDefinition,
  fn: () => Promise<T>,
  event?: TransactionEvent,
): Promise<T> {
  const scope = await outer.nested();
  try {
    let result: T;
    try {
      const inside: Frame = { host, unit: frame.unit, scope, parent: contextStore.get(), trace: event };
      result = await contextStore.run(inside, fn);
    } catch (error) {
      const rollback = rollsBackOn(def, error) || scope.rollbackOnly;
      if (rollback) await scope.rollback();
      else await scope.commit();
      if (event) event.outcome = rollback ? 'rollback' : 'commit';
      throw error;
    }
    await scope.commit();
    if (event) event.outcome = 'commit';
    return result;
  } finally {
    scope.end('its nested transaction ended');
  }
}
