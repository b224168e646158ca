import { type RequestEvent, requestEnded, requestStarted } from '../diagnostics/channels.js';
import { ConfigError, IllegalTransactionStateError, ScopeEndedError } from '../errors.js';
import type { IsolationLevel } from '../orm/orm-backend.js';
import { contextStore, type Frame, type TransactionHost } from '../transaction/frames.js';
import { TransactionScope } from '../transaction/transaction-scope.js';
import { UnitOfWork } from '../transaction/unit-of-work.js';
import { type RequestOutcome, rollsBackRequest } from './request-outcome.js';

/** Options of `kosha.openSession`. */
export interface SessionScopeOptions {
  /** Begin a transaction for the whole scope (`mode: 'request'`). Default true. */
  transaction?: boolean | undefined;
  /** Isolation of that transaction. */
  isolation?: IsolationLevel | undefined;
  /**
   * Every session scope opened on this instance while this one is open (an HTTP request's, say) joins it
   * as a nested scope — a savepoint — instead of opening a session of its own: the test kit's rollback
   * isolation, where a request made by a test sees the test's rows and is rolled back with it. Such
   * joined scopes take turns; those still waiting for a turn when this scope closes fail with
   * `ScopeEndedError`. A joined scope without a transaction of its own (`mode: 'method'`) keeps its work
   * when it closes, as its `@transactional` calls would have committed it, unless one of them failed and
   * marked it rollback-only. At most one joinable scope per instance at a time. Default false.
   */
  joinable?: boolean | undefined;
}

/**
 * A session opened for a scope of work that is not one function call — an HTTP request.
 * `run` binds it to the async context; `finish` (or `commit`/`rollback`) ends its transaction; `close` always.
 */
export interface SessionScope {
  /** Runs `fn` with this session (and its transaction) as the current ones. */
  run<R>(fn: () => R): R;
  /**
   * Ends the scope as an HTTP request ends: rolls back when the request `failed`, when `rollbackOn(statusCode)`
   * (default: a 5xx), or when the transaction is rollback-only and the status is an error; commits otherwise
   * (a rollback-only transaction then throws `UnexpectedRollbackError`). Code still running in the scope
   * afterwards gets `ScopeEndedError`. Both HTTP adapters end requests through it.
   */
  finish(outcome: RequestOutcome): Promise<void>;
  /**
   * Ends the scope as {@link finish} would, at once and without a promise, when that takes no database
   * work and no hook: its transaction ran no statement (a request answered from the cache), or it has none
   * (`mode: 'method'`). Returns false, changing nothing, otherwise — call `finish` then. An adapter tries it
   * first so that such a response need not wait for a promise.
   */
  finishNow(outcome: RequestOutcome): boolean;
  /** Commits the scope's transaction (nothing to do without one). Throws `UnexpectedRollbackError` when marked rollback-only. */
  commit(): Promise<void>;
  /** Rolls back the scope's transaction (nothing to do without one). */
  rollback(): Promise<void>;
  /**
   * Rolls back anything still open and releases the session. Idempotent; never throws. Work still running
   * in the scope fails at its next Kosha call (and a statement in flight at once) with `ScopeEndedError`
   * naming `reason` (default: "its scope was closed"); an HTTP adapter passes "its client went away".
   */
  close(reason?: string): Promise<void>;
  /** True when an inner transactional call failed and the transaction can only roll back. */
  readonly rollbackOnly: boolean;
  /** True until finish, commit, rollback or close. */
  readonly active: boolean;
}

const joinable = new WeakMap<TransactionHost, JoinTarget>();

/** A joinable scope's session and transaction, and the turn of the scope joined to it now. */
interface JoinTarget {
  readonly unit: UnitOfWork;
  readonly scope: TransactionScope;
  turn: Promise<void>;
  /** Settles when the joinable scope closes: scopes still waiting for a turn stop waiting. */
  readonly closed: Promise<void>;
}

const RESOLVED: Promise<void> = Promise.resolve();

/** @internal */
export function openSessionScope(
  host: TransactionHost,
  options: SessionScopeOptions = {},
): Promise<SessionScope> {
  const opened = openSessionScopeNow(host, options);
  return opened instanceof Promise ? opened : Promise.resolve(opened);
}

/** @internal the scope itself when opening it needs no wait (see `Kosha#openSessionNow`), else a promise. */
export function openSessionScopeNow(
  host: TransactionHost,
  options: SessionScopeOptions = {},
): SessionScope | Promise<SessionScope> {
  const target = joinable.get(host);
  if (target) {
    if (options.joinable) {
      return Promise.reject(
        new ConfigError(
          'kosha.openSession: a joinable session scope is already open on this instance; close it first.',
        ),
      );
    }
    return JoinedSessionScope.open(host, target, options.transaction ?? true);
  }
  let scope: OpenSessionScope;
  let began: Promise<void>;
  try {
    scope = new OpenSessionScope(host, options.transaction ?? true);
    if (!scope.scope) return scope;
    const begin = { isolation: options.isolation === 'DEFAULT' ? undefined : options.isolation };
    const session = scope.unit.session;
    if (session.beginNow?.(begin)) {
      if (options.joinable) makeJoinable(host, scope);
      return scope;
    }
    began = session.begin(begin);
  } catch (error) {
    return Promise.reject(error);
  }
  // A promise chain rather than an async function: every HTTP request opens one.
  return began.then(
    () => {
      if (options.joinable) makeJoinable(host, scope);
      return scope;
    },
    (error: unknown) =>
      scope.unit.close('its session could not begin a transaction').then(() => {
        throw error;
      }),
  );
}

function makeJoinable(host: TransactionHost, scope: OpenSessionScope): void {
  let closed!: () => void;
  const target: JoinTarget = {
    unit: scope.unit,
    scope: scope.scope!,
    turn: Promise.resolve(),
    closed: new Promise<void>((r) => {
      closed = r;
    }),
  };
  joinable.set(host, target);
  scope.onClose = () => {
    joinable.delete(host);
    closed();
  };
}

/**
 * What both kinds of session scope share: the state, the binding to the async context, and the request's
 * commit-or-rollback decision. Subclasses say how the scope ends (`endWith`) and closes.
 */
abstract class BaseSessionScope implements SessionScope {
  protected state: 'open' | 'ended' | 'closed' = 'open';
  protected abstract readonly frame: Frame;

  run<R>(fn: () => R): R {
    return contextStore.run(this.frame, fn);
  }

  // A throwing `rollbackOn` rejects, and close() then rolls back.
  finish(outcome: RequestOutcome): Promise<void> {
    try {
      return rollsBackRequest(outcome, this.rollbackOnly) ? this.rollback() : this.commit();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  finishNow(outcome: RequestOutcome): boolean {
    if (this.state !== 'open') return false;
    let how: 'commit' | 'rollback';
    try {
      how = rollsBackRequest(outcome, this.rollbackOnly) ? 'rollback' : 'commit';
    } catch {
      return false; // a throwing rollbackOn: finish() rejects with it
    }
    if (!this.endNow(how)) return false;
    this.state = 'ended';
    const event = this.frame.trace as RequestEvent | undefined;
    if (event) event.outcome = event.mode === 'method' ? 'closed' : how;
    return true;
  }

  /** Ends the scope's transaction synchronously when that sends nothing; false when it cannot. */
  protected abstract endNow(how: 'commit' | 'rollback'): boolean;

  commit(): Promise<void> {
    return this.#end('commit');
  }

  rollback(): Promise<void> {
    return this.#end('rollback');
  }

  #end(how: 'commit' | 'rollback'): Promise<void> {
    if (this.state !== 'open') {
      return Promise.reject(
        new IllegalTransactionStateError(`This session scope was already ${this.state}.`),
      );
    }
    this.state = 'ended';
    let ending: Promise<void>;
    try {
      ending = this.endWith(how);
    } catch (error) {
      ending = Promise.reject(error);
    }
    const event = this.frame.trace as RequestEvent | undefined;
    if (!event) return ending;
    return ending.then(
      () => {
        // mode 'method' has nothing to commit or roll back: its scope just closes.
        event.outcome = event.mode === 'method' ? 'closed' : how;
      },
      (error: unknown) => {
        event.outcome = 'rollback';
        event.error = error;
        throw error;
      },
    );
  }

  /** Publishes the end of the scope's request event, once it closed (`rolledBack`: close rolled back). */
  protected traceClosed(rolledBack: boolean): void {
    const event = this.frame.trace as RequestEvent | undefined;
    if (event) requestEnded(event, rolledBack ? 'rollback' : 'closed', event.error);
  }

  /** Ends the scope's transaction (its state is already `ended`). */
  protected abstract endWith(how: 'commit' | 'rollback'): Promise<void>;

  abstract close(reason?: string): Promise<void>;

  abstract get rollbackOnly(): boolean;

  get active(): boolean {
    return this.state === 'open';
  }
}

/** One object per scope (an HTTP request opens one): no closures to allocate. */
class OpenSessionScope extends BaseSessionScope {
  /** @internal the unit of work this scope binds (openSessionScope begins its transaction). */
  readonly unit: UnitOfWork;
  /** @internal the scope's transaction, when it has one. */
  readonly scope: TransactionScope | undefined;
  /** @internal called once the scope is closed. */
  onClose: (() => void) | undefined;
  protected readonly frame: Frame;

  constructor(host: TransactionHost, wantsTx: boolean) {
    super();
    const parent = contextStore.get();
    this.unit = new UnitOfWork(host, host.orm.openSession(), undefined);
    this.scope = wantsTx
      ? TransactionScope.begin(host, this.unit, { virtual: false, readOnly: false, deadline: undefined })
      : undefined;
    const trace = requestStarted(wantsTx ? 'request' : 'method');
    this.frame = { host, unit: this.unit, scope: this.scope, parent, trace };
  }

  protected endWith(how: 'commit' | 'rollback'): Promise<void> {
    const scope = this.scope;
    if (!scope) {
      // `mode: 'method'`: each @transactional committed its own work; changes made outside any transaction
      // are not flushed behind the user's back (Spring's rule). Work the request left running must not
      // reach the session from here on.
      this.unit.end('its request ended');
      return RESOLVED;
    }
    // Its owner is ending the scope: code still running in its context (work a request started and left
    // behind) must not join a transaction that is being committed or rolled back.
    scope.end('its request ended');
    return how === 'commit' ? scope.commit() : scope.rollback();
  }

  protected endNow(how: 'commit' | 'rollback'): boolean {
    const scope = this.scope;
    if (!scope) {
      this.unit.end('its request ended');
      return true;
    }
    return scope.endUnused(how, 'its request ended');
  }

  close(reason = 'its scope was closed'): Promise<void> {
    if (this.state === 'closed') return RESOLVED;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    // Ended first, so that a statement in flight fails now instead of being waited for by the rollback.
    this.unit.end(reason);
    const release = () =>
      this.unit.close(reason).then(() => {
        this.traceClosed(wasOpen && this.scope !== undefined);
        this.onClose?.();
      });
    if (!wasOpen || !this.scope) return release();
    let rolledBack: Promise<void>;
    try {
      rolledBack = this.scope.rollback();
    } catch (error) {
      rolledBack = Promise.reject(error);
    }
    return rolledBack.then(release, (error: unknown) =>
      release().then(() => {
        throw error;
      }),
    );
  }

  get rollbackOnly(): boolean {
    return this.scope?.rollbackOnly ?? false;
  }
}

/**
 * A session scope joined to the joinable one (the test's transaction): a savepoint of its own, on the
 * joinable scope's session, taken in turns. Without a transaction of its own (`mode: 'method'`), closing
 * it keeps its work: its `@transactional` calls joined the savepoint instead of committing.
 */
class JoinedSessionScope extends BaseSessionScope {
  protected readonly frame: Frame;
  readonly #scope: TransactionScope;
  readonly #release: () => void;
  readonly #keepsOnClose: boolean;

  private constructor(
    host: TransactionHost,
    target: JoinTarget,
    scope: TransactionScope,
    release: () => void,
    keepsOnClose: boolean,
  ) {
    super();
    this.#scope = scope;
    this.#release = release;
    this.#keepsOnClose = keepsOnClose;
    const trace = requestStarted(keepsOnClose ? 'method' : 'request');
    this.frame = { host, unit: target.unit, scope, parent: contextStore.get(), trace };
  }

  static async open(host: TransactionHost, target: JoinTarget, wantsTx: boolean): Promise<SessionScope> {
    const previous = target.turn;
    let release!: () => void;
    target.turn = new Promise<void>((r) => {
      release = r;
    });
    // The scope whose turn it is may outlive the joinable one (a request the test left running): waiting
    // for it then would never end.
    await Promise.race([previous, target.closed]);
    try {
      const ended = target.unit.endedBy;
      if (ended !== undefined)
        throw ScopeEndedError.afterEnd('A session scope joining a joinable one', ended);
      const scope = await contextStore.run(
        { host, unit: target.unit, scope: target.scope, parent: undefined },
        () => target.scope.nested(),
      );
      return new JoinedSessionScope(host, target, scope, release, !wantsTx);
    } catch (error) {
      release();
      throw error;
    }
  }

  protected async endWith(how: 'commit' | 'rollback'): Promise<void> {
    this.#scope.end('its request ended');
    try {
      if (how === 'commit') {
        await this.#scope.commit();
      } else {
        await this.#scope.rollback().catch((error: unknown) => {
          // The joinable scope ended first (its test did): its rollback took this savepoint with it.
          if (this.frame.unit?.endedBy === undefined) throw error;
        });
      }
    } finally {
      this.#release();
    }
  }

  // Its savepoint and its turn are the joinable scope's business: always the asynchronous path.
  protected endNow(): boolean {
    return false;
  }

  async close(reason = 'its scope was closed'): Promise<void> {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    this.#scope.end(reason);
    if (!wasOpen) {
      this.traceClosed(false);
      return;
    }
    let rolledBack = false;
    try {
      // `mode: 'method'` ends a request with close(), never commit(): what its @transactional calls did
      // stays, as it would have been committed — unless one of them failed and marked the savepoint.
      if (this.#keepsOnClose && !this.#scope.rollbackOnly) await this.#scope.commit();
      else {
        rolledBack = true;
        await this.#scope.rollback();
      }
    } catch {
      // The joinable scope may have ended first; its own close rolls everything back.
    } finally {
      this.#release();
      this.traceClosed(rolledBack);
    }
  }

  get rollbackOnly(): boolean {
    return this.#scope.rollbackOnly;
  }
}
