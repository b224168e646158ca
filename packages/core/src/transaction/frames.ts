import { AsyncContextStore } from '../context/context-store.js';
import type { KoshaEvent } from '../diagnostics/channels.js';
import { ScopeEndedError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { OrmBackend } from '../orm/orm-backend.js';
import type { TransactionScope } from './transaction-scope.js';
import type { UnitOfWork } from './unit-of-work.js';

/** What the transaction machinery needs of a Kosha instance. */
export interface TransactionHost {
  readonly orm: OrmBackend;
  readonly logger: Logger;
  /** Methods already warned about for running detached (background path). */
  readonly detachedWarned: Set<string>;
}

/**
 * What the context store holds: per Kosha instance, its session (unit of work) and the transaction scope
 * in progress. A frame without a unit only binds the instance (`kosha.run`); one whose `parent` chain was
 * cut (`kosha.background`) starts fresh.
 */
export interface Frame {
  readonly host: TransactionHost;
  readonly unit: UnitOfWork | undefined;
  readonly scope: TransactionScope | undefined;
  readonly parent: Frame | undefined;
  /** The event published for this frame's scope, while something subscribes to Kosha's channels. */
  readonly trace?: KoshaEvent | undefined;
}

/** The one context store of the process. */
export const contextStore = new AsyncContextStore<Frame>();

/**
 * The innermost frame of `host` that has a session, or `undefined` when the code never had one (the
 * background path). Throws `ScopeEndedError` when that frame's session or transaction scope has ended:
 * code left running after its request or transaction must not silently get a session of its own.
 */
export function liveFrame(host: TransactionHost, what = 'This code'): Frame | undefined {
  for (let f = contextStore.get(); f; f = f.parent) {
    if (f.host !== host || !f.unit) continue;
    const ended = f.unit.endedBy ?? (f.scope?.ended ? f.scope.endedBy : undefined);
    if (ended !== undefined) throw ScopeEndedError.afterEnd(what, ended);
    return f;
  }
  return undefined;
}

/** The transaction scope in progress for `host`, if any (throws `ScopeEndedError` like {@link liveFrame}). */
export function liveScope(host: TransactionHost): TransactionScope | undefined {
  const scope = liveFrame(host)?.scope;
  return scope && !scope.tx.completed ? scope : undefined;
}

/** The event of the innermost traced scope in context: the parent of an event published now. */
export function currentEvent(): KoshaEvent | undefined {
  for (let f = contextStore.get(); f; f = f.parent) if (f.trace) return f.trace;
  return undefined;
}
