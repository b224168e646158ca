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
  const scope = new OpenSessionScope(host, options.transaction ?? true);
  if (scope.scope) {
    try {
      await scope.unit.session.begin({
        isolation: options.isolation === 'DEFAULT' ? undefined : options.isolation,
      });
    } catch (error) {
      await closeUnit(host, scope.unit);
      throw error;
    }
  }
  return scope;
}

/** One object per scope (an HTTP request opens one): no closures to allocate. */
class OpenSessionScope implements SessionScope {
  /** @internal the unit of work this scope binds (openSessionScope begins its transaction). */
  readonly unit: UnitOfWork;
  /** @internal the scope's transaction, when it has one. */
  readonly scope: TransactionScope | undefined;
  readonly #host: TransactionHost;
  readonly #frame: Frame;
  #state: 'open' | 'ended' | 'closed' = 'open';

  constructor(host: TransactionHost, wantsTx: boolean) {
    this.#host = host;
    const unit: UnitOfWork = { session: host.orm.openSession(), closed: false };
    this.unit = unit;
    this.scope = wantsTx
      ? {
          tx: { unit, virtual: false, readOnly: false, deadline: undefined, completed: false, savepoints: 0 },
          hooks: { afterCommit: [], afterRollback: [] },
          rollbackOnly: false,
        }
      : undefined;
    this.#frame = { host, unit, scope: this.scope, parent: contextStore.get() };
  }

  run<R>(fn: () => R): R {
    return contextStore.run(this.#frame, fn);
  }

  commit(): Promise<void> {
    return this.#end('commit');
  }

  rollback(): Promise<void> {
    return this.#end('rollback');
  }

  async #end(how: 'commit' | 'rollback'): Promise<void> {
    if (this.#state !== 'open')
      throw new IllegalTransactionStateError(`This session scope was already ${this.#state}.`);
    this.#state = 'ended';
    // Its owner is ending the scope: code still running in its context (work a request started and left
    // behind) must not join a transaction that is being committed or rolled back — it takes the background path.
    this.unit.closed = true;
    // Without a scope transaction (`mode: 'method'`) each @transactional committed its own work;
    // changes made outside any transaction are not flushed behind the user's back (Spring's rule).
    const scope = this.scope;
    if (!scope) return;
    if (how === 'commit') await commitScope(this.#host, scope);
    else await rollbackScope(this.#host, scope);
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    const wasOpen = this.#state === 'open';
    this.#state = 'closed';
    this.unit.closed = true;
    try {
      if (wasOpen && this.scope) await rollbackScope(this.#host, this.scope);
    } finally {
      await closeUnit(this.#host, this.unit);
    }
  }

  get rollbackOnly(): boolean {
    return this.scope?.rollbackOnly ?? false;
  }

  get active(): boolean {
    return this.#state === 'open';
  }
}
