import { ScopeEndedError } from '../errors.js';
import type { Session } from '../orm/orm-backend.js';
import type { TransactionHost } from './frames.js';

/**
 * One session (MikroORM: a forked EntityManager) and how long it lives. A unit opened while another was
 * in context (a `REQUIRES_NEW` inside a request) is its child: when the parent ends — the request is
 * over, its client went away — the child ends with it, and so does whatever it has in flight.
 */
export class UnitOfWork {
  /** The backend's session. */
  readonly session: Session;
  readonly #host: TransactionHost;
  #parent: UnitOfWork | undefined;
  #children: Set<UnitOfWork> | undefined;
  #endedBy: string | undefined;
  #closing: Promise<void> | undefined;

  constructor(host: TransactionHost, session: Session, parent: UnitOfWork | undefined) {
    this.#host = host;
    this.session = session;
    if (parent && parent.#endedBy === undefined) {
      this.#parent = parent;
      (parent.#children ??= new Set()).add(this);
    }
  }

  /** Why the unit ended (`'its request ended'`, …), or `undefined` while it is open. */
  get endedBy(): string | undefined {
    return this.#endedBy;
  }

  /**
   * Marks the unit ended, at once: from here on code in its context gets `ScopeEndedError` instead of a
   * session. `close` follows (it calls this itself).
   */
  end(how: string): void {
    if (this.#endedBy !== undefined) return;
    this.#endedBy = how;
    const children = this.#children;
    this.#children = undefined;
    const parent = this.#parent;
    if (parent) parent.#children?.delete(this);
    this.#parent = undefined;
    if (!children) return;
    // A child still open when its parent ends was left behind (not awaited, or waiting on the pool):
    // it ends too, and what it has in flight fails now rather than committing later.
    for (const child of children) void child.close(`${how}, and with it the scope that started this one`);
  }

  /** Ends the unit and releases its session; work still in flight fails. A failure is logged, never thrown. */
  close(how: string): Promise<void> {
    this.end(how);
    this.#closing ??= this.session
      .close(() => ScopeEndedError.afterEnd('A database call', this.#endedBy!))
      .catch((error: unknown) => this.#host.logger.error('closing a session failed', error));
    return this.#closing;
  }
}
