import {
  IllegalTransactionStateError,
  TransactionRequiredError,
  TransactionTimedOutError,
  UnexpectedRollbackError,
} from '../errors.js';
import {
  activeScope,
  contextStore,
  type Frame,
  frameOf,
  type Hooks,
  runHooks,
  type Transaction,
  type TransactionHost,
  type TransactionScope,
  type UnitOfWork,
} from './frames.js';
import { rollsBackOn, type TransactionDefinition } from './transaction-options.js';

const newHooks = (): Hooks => ({ afterCommit: [], afterRollback: [] });

/**
 * Runs `fn` under a transaction definition with Spring's propagation semantics. `label` names the
 * decorated method (for the once-per-method warning of the background path).
 */
export function executeTransactional<T>(
  host: TransactionHost,
  def: TransactionDefinition,
  fn: () => Promise<T>,
  label?: string,
): Promise<T> {
  const frame = frameOf(host);
  const scope = activeScope(frame);
  switch (def.propagation) {
    case 'REQUIRED':
      return scope ? join(scope, def, fn) : begin(host, frame, def, fn, label);
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
      if (!scope) return begin(host, frame, def, fn, label);
      assertSecondConnection(host, scope, 'REQUIRES_NEW', label);
      return begin(host, undefined, def, fn, label, false);
    case 'NOT_SUPPORTED':
      if (!scope) return withoutTransaction(host, frame, fn);
      assertSecondConnection(host, scope, 'NOT_SUPPORTED', label);
      return withoutTransaction(host, undefined, fn);
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
      return scope ? nested(host, frame!, scope, def, fn) : begin(host, frame, def, fn, label);
  }
}

function assertSecondConnection(
  host: TransactionHost,
  scope: TransactionScope,
  mode: string,
  label?: string,
) {
  if (host.orm.capabilities.concurrentTransactions || scope.tx.virtual) return;
  throw new IllegalTransactionStateError(
    `${label ?? 'This code'} asks for ${mode} inside a transaction, which needs a second database connection, ` +
      `but ${host.orm.dialect} has only one (it would wait forever). Use REQUIRED or NESTED here, ` +
      'or run against PostgreSQL or MySQL/MariaDB.',
  );
}

function checkDeadline(tx: Transaction): void {
  if (tx.deadline !== undefined && Date.now() > tx.deadline) {
    throw new TransactionTimedOutError(
      `The transaction passed its timeout (deadline ${new Date(tx.deadline).toISOString()}) and will be rolled back. ` +
        'Raise `timeout` or make the work shorter.',
    );
  }
}

async function join<T>(
  scope: TransactionScope,
  def: TransactionDefinition,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    checkDeadline(scope.tx);
    return await fn();
  } catch (error) {
    if (rollsBackOn(def, error)) scope.rollbackOnly = true;
    throw error;
  }
}

function openUnit(host: TransactionHost, readOnly: boolean): UnitOfWork {
  return { session: host.orm.openSession({ readOnly }), closed: false };
}

/** Marks a unit of work closed and releases its session; a failure is logged, never thrown. */
export async function closeUnit(host: TransactionHost, unit: UnitOfWork): Promise<void> {
  unit.closed = true;
  try {
    await unit.session.close();
  } catch (error) {
    host.logger.error('closing a session failed', error);
  }
}

function warnDetached(host: TransactionHost, label: string | undefined) {
  if (!label || host.detachedWarned.has(label)) return;
  host.detachedWarned.add(label);
  host.logger.warn(
    `${label} ran with no session in context (a job, a script or work that outlived its request): ` +
      'it opened its own session and transaction. This is logged once per method.',
  );
}

async function begin<T>(
  host: TransactionHost,
  frame: Frame | undefined,
  def: TransactionDefinition,
  fn: () => Promise<T>,
  label: string | undefined,
  warn = true,
): Promise<T> {
  const reuse = frame?.unit;
  if (!reuse && warn) warnDetached(host, label);
  const virtual = def.readOnly && def.isolation === undefined;
  const unit = reuse ?? openUnit(host, virtual);
  const tx: Transaction = {
    unit,
    virtual,
    readOnly: def.readOnly,
    deadline: def.timeout === undefined ? undefined : Date.now() + def.timeout * 1000,
    completed: false,
    savepoints: 0,
  };
  const scope: TransactionScope = { tx, hooks: newHooks(), rollbackOnly: false };
  try {
    if (!virtual)
      await unit.session.begin({ isolation: def.isolation, readOnly: def.readOnly, timeout: def.timeout });
    let result: T;
    try {
      result = await contextStore.run({ host, unit, scope, parent: contextStore.get() }, fn);
    } catch (error) {
      await completeAfterError(host, scope, def, error);
      throw error;
    }
    // A read-only transaction without BEGIN, nothing to check and no hooks: there is nothing to commit.
    if (virtual && !scope.rollbackOnly && tx.deadline === undefined && !scope.hooks.afterCommit.length) {
      tx.completed = true;
    } else await commitScope(host, scope);
    return result;
  } finally {
    tx.completed = true;
    if (!reuse) await closeUnit(host, unit);
  }
}

/** Commits the outermost scope of a transaction, or rolls it back if it was marked rollback-only. */
export async function commitScope(host: TransactionHost, scope: TransactionScope): Promise<void> {
  const { tx } = scope;
  if (scope.rollbackOnly) {
    await rollbackScope(host, scope);
    throw new UnexpectedRollbackError(
      'The transaction was rolled back because an inner transactional call failed and marked it rollback-only. ' +
        'Let the inner error propagate, or give the inner call its own transaction (REQUIRES_NEW or NESTED).',
    );
  }
  try {
    checkDeadline(tx);
  } catch (error) {
    await rollbackScope(host, scope);
    throw error;
  }
  if (!tx.virtual) {
    try {
      await tx.unit.session.commit();
    } catch (error) {
      await rollbackScope(host, scope, true);
      throw error;
    }
  }
  tx.completed = true;
  if (scope.hooks.afterCommit.length) await runHooks(host, scope.hooks.afterCommit, 'afterCommit');
}

/** Rolls back the outermost scope of a transaction and runs its afterRollback hooks. */
export async function rollbackScope(
  host: TransactionHost,
  scope: TransactionScope,
  afterFailedCommit = false,
) {
  const { tx } = scope;
  if (!tx.virtual) {
    try {
      await tx.unit.session.rollback();
    } catch (error) {
      // After a failed COMMIT the database has usually ended the transaction already.
      if (!afterFailedCommit) host.logger.error('rollback failed', error);
    }
  }
  tx.completed = true;
  await runHooks(host, scope.hooks.afterRollback, 'afterRollback');
}

async function completeAfterError(
  host: TransactionHost,
  scope: TransactionScope,
  def: TransactionDefinition,
  error: unknown,
) {
  if (!scope.rollbackOnly && !rollsBackOn(def, error)) {
    // noRollbackFor: commit what was done; the caller's error is rethrown by the caller.
    await commitScope(host, scope);
    return;
  }
  await rollbackScope(host, scope);
}

async function withoutTransaction<T>(
  host: TransactionHost,
  frame: Frame | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  const reuse = frame?.unit;
  const unit = reuse ?? openUnit(host, false);
  try {
    return await contextStore.run({ host, unit, scope: undefined, parent: contextStore.get() }, fn);
  } finally {
    if (!reuse) await closeUnit(host, unit);
  }
}

async function nested<T>(
  host: TransactionHost,
  frame: Frame,
  outer: TransactionScope,
  def: TransactionDefinition,
  fn: () => Promise<T>,
): Promise<T> {
  const { tx } = outer;
  checkDeadline(tx);
  if (tx.virtual) {
    // A read-only transaction without BEGIN has nothing to save: run the scope with its own hooks.
    const scope: TransactionScope = { tx, hooks: newHooks(), rollbackOnly: false };
    try {
      const r = await contextStore.run({ host, unit: tx.unit, scope, parent: contextStore.get() }, fn);
      mergeHooks(outer.hooks, scope.hooks);
      return r;
    } catch (error) {
      await runHooks(host, scope.hooks.afterRollback, 'afterRollback');
      throw error;
    }
  }
  if (!host.orm.capabilities.savepoints) {
    throw new IllegalTransactionStateError(
      `NESTED needs savepoints, which ${host.orm.dialect} does not offer here.`,
    );
  }
  const name = `kosha_sp_${++tx.savepoints}`;
  await tx.unit.session.savepoint(name);
  const scope: TransactionScope = { tx, hooks: newHooks(), rollbackOnly: false, savepoint: name };
  let result: T;
  try {
    result = await contextStore.run({ host, unit: frame.unit, scope, parent: contextStore.get() }, fn);
  } catch (error) {
    if (rollsBackOn(def, error) || scope.rollbackOnly) await rollbackToSavepoint(host, scope);
    else await releaseSavepoint(outer, scope);
    throw error;
  }
  if (scope.rollbackOnly) {
    await rollbackToSavepoint(host, scope);
    throw new UnexpectedRollbackError(
      'The nested transaction was rolled back to its savepoint because an inner transactional call failed and ' +
        'marked it rollback-only. Let the inner error propagate, or catch it outside the nested scope.',
    );
  }
  await releaseSavepoint(outer, scope);
  return result;
}

function mergeHooks(into: Hooks, from: Hooks) {
  into.afterCommit.push(...from.afterCommit);
  into.afterRollback.push(...from.afterRollback);
}

async function releaseSavepoint(outer: TransactionScope, scope: TransactionScope) {
  await scope.tx.unit.session.releaseSavepoint(scope.savepoint!);
  mergeHooks(outer.hooks, scope.hooks);
}

async function rollbackToSavepoint(host: TransactionHost, scope: TransactionScope) {
  await scope.tx.unit.session.rollbackToSavepoint(scope.savepoint!);
  await runHooks(host, scope.hooks.afterRollback, 'afterRollback');
}
