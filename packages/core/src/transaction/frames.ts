import { AsyncContextStore } from '../context/context-store.js';
import type { Logger } from '../logger.js';
import type { OrmBackend, Session } from '../orm/orm-backend.js';

/** What the transaction machinery needs of a Kosha instance. */
export interface TransactionHost {
  readonly orm: OrmBackend;
  readonly logger: Logger;
  /** Methods already warned about for running detached (background path). */
  readonly detachedWarned: Set<string>;
}

/** A session (unit of work) and whether it is still usable. */
export interface UnitOfWork {
  readonly session: Session;
  closed: boolean;
}

/** Callbacks registered with `afterCommit` / `afterRollback`. */
export interface Hooks {
  afterCommit: (() => unknown)[];
  afterRollback: (() => unknown)[];
}

/** A physical transaction of one unit of work (or a virtual one: read-only, no BEGIN). */
export interface Transaction {
  readonly unit: UnitOfWork;
  /** True when no BEGIN was sent (read-only with the default isolation). */
  readonly virtual: boolean;
  readonly readOnly: boolean;
  /** Epoch ms after which the transaction is timed out. */
  readonly deadline: number | undefined;
  completed: boolean;
  savepoints: number;
}

/** One transaction scope: the outermost one of a transaction, or a `NESTED` one with its savepoint. */
export interface TransactionScope {
  readonly tx: Transaction;
  readonly hooks: Hooks;
  rollbackOnly: boolean;
  readonly savepoint?: string;
}

/** What the context store holds: per Kosha instance, its session and current transaction scope. */
export interface Frame {
  readonly host: TransactionHost;
  readonly unit: UnitOfWork | undefined;
  readonly scope: TransactionScope | undefined;
  readonly parent: Frame | undefined;
}

/** The one context store of the process. */
export const contextStore = new AsyncContextStore<Frame>();

/** The innermost frame of `host` whose session is still open, if any. */
export function frameOf(host: TransactionHost): Frame | undefined {
  for (let f = contextStore.get(); f; f = f.parent) {
    // A frame without a unit only binds the instance; a closed unit means the session's owner is done.
    if (f.host === host && f.unit) return f.unit.closed ? undefined : f;
  }
  return undefined;
}

/** The transaction scope in progress for `host`, if any. */
export function activeScope(frame: Frame | undefined): TransactionScope | undefined {
  const s = frame?.scope;
  return s && !s.tx.completed ? s : undefined;
}

/** Runs hooks one by one; a failing hook is logged and does not stop the others. */
export async function runHooks(host: TransactionHost, hooks: (() => unknown)[], what: string): Promise<void> {
  if (hooks.length === 0) return;
  for (const hook of hooks) {
    try {
      await hook();
    } catch (error) {
      host.logger.error(`an ${what} hook failed (the transaction outcome stands)`, error);
    }
  }
}
