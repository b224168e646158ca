import {
  CommitUnknownError,
  ScopeEndedError,
  TransactionTimedOutError,
  UnexpectedRollbackError,
} from '../errors.js';
import { contextStore, type Frame, type TransactionHost } from './frames.js';
import type { UnitOfWork } from './unit-of-work.js';

type Hook = () => unknown;

const RESOLVED: Promise<void> = Promise.resolve();

/** How a scope that did not commit ended: rolled back, or a commit whose reply was lost. */
export type NotCommitted = 'rolled back' | 'unknown';

type OtherwiseHook = (outcome: NotCommitted) => unknown;

/** A physical transaction of one unit of work (or a virtual one: read-only, no BEGIN). */
export interface Transaction {
  readonly host: TransactionHost;
  readonly unit: UnitOfWork;
  /** True when no BEGIN was sent (read-only with the default isolation). */
  readonly virtual: boolean;
  readonly readOnly: boolean;
  /** Epoch ms after which the transaction is timed out. */
  readonly deadline: number | undefined;
  /** True once the transaction committed or rolled back. */
  readonly completed: boolean;
}

/** What {@link TransactionScope.begin} is told about the transaction. */
export interface TransactionStart {
  readonly virtual: boolean;
  readonly readOnly: boolean;
  readonly deadline: number | undefined;
}

class PhysicalTransaction implements Transaction {
  completed = false;
  savepoints = 0;
  constructor(
    readonly host: TransactionHost,
    readonly unit: UnitOfWork,
    readonly virtual: boolean,
    readonly readOnly: boolean,
    readonly deadline: number | undefined,
  ) {}
}

const TIMED_OUT = (deadline: number) =>
  new TransactionTimedOutError(
    `The transaction passed its timeout (deadline ${new Date(deadline).toISOString()}) and will be rolled back. ` +
      'Raise `timeout` or make the work shorter.',
  );

/**
 * One transaction scope: the outermost scope of a transaction, or a `NESTED` one with its savepoint. It
 * owns its hooks, its rollback-only mark and its end; nobody else touches them. Hooks run after the scope
 * ends, in the context the scope was started from — never inside the scope that just ended.
 */
export class TransactionScope {
  /** The physical transaction this scope belongs to. */
  readonly tx: Transaction;
  /** The savepoint of a `NESTED` scope. */
  readonly savepoint: string | undefined;
  readonly #physical: PhysicalTransaction;
  readonly #outer: TransactionScope | undefined;
  readonly #outside: Frame | undefined;
  #commitHooks: Hook[] | undefined;
  #otherwiseHooks: OtherwiseHook[] | undefined;
  #rollbackHooks: Hook[] | undefined;
  #rollbackOnly = false;
  #endedBy: string | undefined;

  private constructor(physical: PhysicalTransaction, outer?: TransactionScope, savepoint?: string) {
    this.#physical = physical;
    this.tx = physical;
    this.#outer = outer;
    this.savepoint = savepoint;
    this.#outside = contextStore.get();
  }

  /** The outermost scope of a new transaction on `unit` (the caller has begun it, or will). */
  static begin(host: TransactionHost, unit: UnitOfWork, start: TransactionStart): TransactionScope {
    return new TransactionScope(
      new PhysicalTransaction(host, unit, start.virtual, start.readOnly, start.deadline),
    );
  }

  /** True once the scope committed, rolled back, or was ended by its owner. */
  get ended(): boolean {
    return this.#endedBy !== undefined;
  }

  /** How the scope ended, for `ScopeEndedError` messages. */
  get endedBy(): string | undefined {
    return this.#endedBy;
  }

  /** True when an inner scope failed: the transaction can only roll back. */
  get rollbackOnly(): boolean {
    return this.#rollbackOnly;
  }

  /** Marks the scope rollback-only (an inner `REQUIRED` call failed). */
  markRollbackOnly(): void {
    this.#rollbackOnly = true;
  }

  /**
   * Runs `fn` after the scope commits (for a `NESTED` scope: after the transaction it belongs to commits);
   * `otherwise` instead when it rolls back or its commit's outcome is unknown (told which).
   */
  onCommit(fn: Hook, otherwise?: OtherwiseHook): void {
    (this.#commitHooks ??= []).push(fn);
    if (otherwise) (this.#otherwiseHooks ??= []).push(otherwise);
  }

  /** Runs `fn` after the scope rolls back (a `NESTED` scope: back to its savepoint). */
  onRollback(fn: Hook): void {
    (this.#rollbackHooks ??= []).push(fn);
  }

  /** Throws `TransactionTimedOutError` once the transaction's deadline has passed. */
  checkDeadline(): void {
    const d = this.tx.deadline;
    if (d !== undefined && Date.now() > d) throw TIMED_OUT(d);
  }

  /** Marks the scope ended without committing or rolling back (its session was closed under it). */
  end(how: string): void {
    this.#endedBy ??= how;
  }

  /** Opens a `NESTED` scope: a savepoint (none for a virtual transaction), with hooks of its own. */
  async nested(): Promise<TransactionScope> {
    this.checkDeadline();
    const p = this.#physical;
    if (p.virtual) return new TransactionScope(p, this);
    const name = `kosha_sp_${++p.savepoints}`;
    await p.unit.session.savepoint(name);
    return new TransactionScope(p, this, name);
  }

  /**
   * Ends the scope with a commit: the outermost one commits the transaction (or, when it is rollback-only
   * or past its deadline, rolls it back and throws); a `NESTED` one releases its savepoint.
   */
  commit(): Promise<void> {
    const p = this.#physical;
    // The common case as one promise chain (this runs on every transaction, cache hits included).
    if (
      !this.#outer &&
      !this.#rollbackOnly &&
      p.deadline === undefined &&
      p.unit.endedBy === undefined &&
      !p.virtual
    ) {
      return p.unit.session.commit().then(
        () => {
          this.#finish('committed');
          return this.#run(this.#commitHooks, 'afterCommit');
        },
        (error: unknown) =>
          this.#afterFailedCommit(error).then(() => {
            throw error;
          }),
      );
    }
    return this.#commit();
  }

  async #commit(): Promise<void> {
    if (this.#outer) return this.#releaseNested();
    const p = this.#physical;
    const gone = p.unit.endedBy;
    if (gone !== undefined) {
      // The session was closed under the transaction (its request ended, its client went away): it was
      // rolled back then, and nothing may commit now.
      await this.rollback();
      throw ScopeEndedError.afterEnd('The commit', gone);
    }
    if (this.#rollbackOnly) {
      await this.rollback();
      throw new UnexpectedRollbackError(
        'The transaction was rolled back because an inner transactional call failed and marked it rollback-only. ' +
          'Let the inner error propagate, or give the inner call its own transaction (REQUIRES_NEW or NESTED).',
      );
    }
    try {
      this.checkDeadline();
    } catch (error) {
      await this.rollback();
      throw error;
    }
    if (!p.virtual) {
      try {
        await p.unit.session.commit();
      } catch (error) {
        await this.#afterFailedCommit(error);
        throw error;
      }
    }
    this.#finish('committed');
    await this.#run(this.#commitHooks, 'afterCommit');
  }

  /**
   * Ends the outermost scope of a transaction that ran nothing, synchronously: true when its session
   * ended the unused transaction and no hook, deadline or rollback-only mark asks for more (an HTTP
   * request answered from the cache then leaves without a promise). False, with nothing changed, when
   * {@link commit} or {@link rollback} must run. `endedBy` names the end in later `ScopeEndedError`s.
   */
  endUnused(how: 'commit' | 'rollback', endedBy?: string): boolean {
    const p = this.#physical;
    if (
      this.#outer ||
      p.virtual ||
      p.completed ||
      p.deadline !== undefined ||
      p.unit.endedBy !== undefined ||
      (how === 'commit' && this.#rollbackOnly) ||
      this.#commitHooks?.length ||
      this.#otherwiseHooks?.length ||
      this.#rollbackHooks?.length ||
      !p.unit.session.endUnused?.()
    )
      return false;
    this.#endedBy ??= endedBy;
    this.#finish(how === 'commit' ? 'committed' : 'rolled back');
    return true;
  }

  /** Ends the scope with a rollback: of the transaction, or (`NESTED`) back to the savepoint. */
  async rollback(): Promise<void> {
    if (this.#outer) return this.#rollbackNested();
    const p = this.#physical;
    if (!p.virtual && !p.completed && p.unit.endedBy === undefined) {
      try {
        await p.unit.session.rollback();
      } catch (error) {
        p.host.logger.error('rollback failed', error);
      }
    }
    this.#finish('rolled back');
    await this.#run(this.#rollbackHooks, 'afterRollback');
    await this.#runOtherwise('rolled back');
  }

  async #afterFailedCommit(error: unknown): Promise<void> {
    const p = this.#physical;
    // The database has usually ended the transaction already; the rollback frees what is left.
    await p.unit.session.rollback().catch(() => {});
    const unknown = error instanceof CommitUnknownError;
    this.#finish(unknown ? 'its commit lost its reply' : 'its commit failed');
    // An unknown outcome is neither a commit nor a rollback: the user's hooks of neither kind run.
    if (!unknown) await this.#run(this.#rollbackHooks, 'afterRollback');
    await this.#runOtherwise(unknown ? 'unknown' : 'rolled back');
  }

  #finish(how: string): void {
    if (!this.#outer) this.#physical.completed = true;
    this.#endedBy ??= `the transaction ${how}`;
  }

  async #releaseNested(): Promise<void> {
    if (this.#rollbackOnly) {
      await this.#rollbackNested();
      throw new UnexpectedRollbackError(
        'The nested transaction was rolled back to its savepoint because an inner transactional call failed and ' +
          'marked it rollback-only. Let the inner error propagate, or catch it outside the nested scope.',
      );
    }
    if (this.savepoint) await this.#physical.unit.session.releaseSavepoint(this.savepoint);
    this.#endedBy ??= 'its nested transaction ended';
    const outer = this.#outer!;
    if (this.#commitHooks) (outer.#commitHooks ??= []).push(...this.#commitHooks);
    if (this.#otherwiseHooks) (outer.#otherwiseHooks ??= []).push(...this.#otherwiseHooks);
    if (this.#rollbackHooks) (outer.#rollbackHooks ??= []).push(...this.#rollbackHooks);
  }

  async #rollbackNested(): Promise<void> {
    if (this.savepoint) await this.#physical.unit.session.rollbackToSavepoint(this.savepoint);
    this.#endedBy ??= 'its nested transaction rolled back';
    await this.#run(this.#rollbackHooks, 'afterRollback');
    await this.#runOtherwise('rolled back');
  }

  #runOtherwise(outcome: NotCommitted): Promise<void> {
    const hooks = this.#otherwiseHooks;
    return hooks?.length
      ? this.#run(
          hooks.map((h) => () => h(outcome)),
          'afterRollback',
        )
      : Promise.resolve();
  }

  /** Runs hooks one by one, outside the scope; a failing hook is logged and does not stop the others. */
  #run(hooks: Hook[] | undefined, what: string): Promise<void> {
    return hooks?.length ? this.#runHooks(hooks, what) : RESOLVED;
  }

  async #runHooks(hooks: Hook[], what: string): Promise<void> {
    const host = this.#physical.host;
    await contextStore.run(this.#outside as Frame, async () => {
      for (const hook of hooks) {
        try {
          await hook();
        } catch (error) {
          host.logger.error(`an ${what} hook failed (the transaction outcome stands)`, error);
        }
      }
    });
  }
}
