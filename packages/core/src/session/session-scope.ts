import { IllegalTransactionStateError } from '../errors.js';
import type { IsolationLevel } from '../orm/orm-backend.js';
import {
  contextStore,
  type Frame,
  type TransactionHost,
  type TransactionScope,
  type UnitOfWork,
} from '../transaction/frames.js';
import { closeUnit, commitScope, rollbackScope } from '../transaction/transaction-manager.js';

/** Options of `kosha.openSession`. */
export interface SessionScopeOptions {
  /** Begin a transaction for the whole scope (`mode: 'request'`). Default true. */
  transaction?: boolean;
  /** Isolation of that transaction. */
  isolation?: IsolationLevel;
}

/**
 * A session opened for a scope of work that is not one function call — an HTTP request.
 * `run` binds it to the async context; `commit`/`rollback` end its transaction; `close` always.
 */
export interface SessionScope {
  /** Runs `fn` with this session (and its transaction) as the current ones. */
  run<R>(fn: () => R): R;
  /** Commits the scope's transaction (nothing to do without one). Throws `UnexpectedRollbackError` when marked rollback-only. */
  commit(): Promise<void>;
  /** Rolls back the scope's transaction (nothing to do without one). */
  rollback(): Promise<void>;
  /** Rolls back anything still open and releases the session. Idempotent; never throws. */
  close(): Promise<void>;
  /** True when an inner transactional call failed and the transaction can only roll back. */
  readonly rollbackOnly: boolean;
  /** True until commit, rollback or close. */
  readonly active: boolean;
}

/** @internal */
export async function openSessionScope(
  host: TransactionHost,
  options: SessionScopeOptions = {},
): Promise<SessionScope> {
  const wantsTx = options.transaction ?? true;
  const unit: UnitOfWork = { session: host.orm.openSession(), closed: false };
  const scope: TransactionScope | undefined = wantsTx
    ? {
        tx: { unit, virtual: false, readOnly: false, deadline: undefined, completed: false, savepoints: 0 },
        hooks: { afterCommit: [], afterRollback: [] },
        rollbackOnly: false,
      }
    : undefined;
  let state: 'open' | 'ended' | 'closed' = 'open';
  const frame: Frame = { host, unit, scope, parent: contextStore.get() };
  if (scope) {
    try {
      await unit.session.begin({
        isolation: options.isolation === 'DEFAULT' ? undefined : options.isolation,
      });
    } catch (error) {
      await closeUnit(host, unit);
      throw error;
    }
  }

  const end = async (how: 'commit' | 'rollback') => {
    if (state !== 'open') throw new IllegalTransactionStateError(`This session scope was already ${state}.`);
    state = 'ended';
    // Its owner is ending the scope: code still running in its context (work a request started and left
    // behind) must not join a transaction that is being committed or rolled back — it takes the background path.
    unit.closed = true;
    // Without a scope transaction (`mode: 'method'`) each @transactional committed its own work;
    // changes made outside any transaction are not flushed behind the user's back (Spring's rule).
    if (!scope) return;
    if (how === 'commit') await commitScope(host, scope);
    else await rollbackScope(host, scope);
  };

  return {
    run: (fn) => contextStore.run(frame, fn),
    commit: () => end('commit'),
    rollback: () => end('rollback'),
    async close() {
      if (state === 'closed') return;
      const wasOpen = state === 'open';
      state = 'closed';
      unit.closed = true;
      try {
        if (wasOpen && scope) await rollbackScope(host, scope);
      } finally {
        await closeUnit(host, unit);
      }
    },
    get rollbackOnly() {
      return scope?.rollbackOnly ?? false;
    },
    get active() {
      return state === 'open';
    },
  };
}
