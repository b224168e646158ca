import { ScopeEndedError } from '../errors.js';
import { contextStore } from './frames.js';

function register(kind: 'afterCommit' | 'afterRollback', fn: () => unknown): Promise<void> | undefined {
  const scope = contextStore.get()?.scope;
  if (scope?.ended) {
    // The transaction this code ran in is over: running the hook now would claim an outcome it never saw.
    throw ScopeEndedError.afterEnd(kind, scope.endedBy!);
  }
  if (scope && !scope.tx.completed) {
    if (kind === 'afterCommit') scope.onCommit(fn);
    else scope.onRollback(fn);
    return undefined;
  }
  return Promise.resolve()
    .then(fn)
    .then(() => undefined);
}

/**
 * Runs `fn` after the current transaction commits; dropped if it rolls back (or if the `NESTED`
 * scope it was registered in rolls back to its savepoint). Outside a transaction, runs at once.
 * Hooks run outside the transaction that ended: a Kosha call inside one opens a transaction of its own.
 *
 * ```ts
 * afterCommit(() => mailer.send(welcome));
 * ```
 */
export function afterCommit(fn: () => unknown): Promise<void> | undefined {
  return register('afterCommit', fn);
}

/** Runs `fn` after the current transaction (or `NESTED` scope) rolls back. Outside a transaction, runs at once. */
export function afterRollback(fn: () => unknown): Promise<void> | undefined {
  return register('afterRollback', fn);
}
