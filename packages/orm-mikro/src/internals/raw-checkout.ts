/**
 * Borrowed internals, fenced (checked against pg 8.23 / pg-pool 3.14, mysql2 3.24, kysely 0.29.6; the
 * test `test/borrowed-internals.test.ts` fails with a clear message when an upgrade breaks them).
 *
 * Kysely's pooled connections hide the driver's client. The guard needs it for one thing: to destroy a
 * connection that stopped answering (a stalled link) instead of handing it back to the pool with a
 * statement still pending on it. Kysely's drivers ask the pool for a client synchronously at the start
 * of `acquireConnection`, so the guard wraps the pool's checkout and keeps what the call it is making
 * got back.
 */
import type { Dialect } from '../url.js';

/** The driver-level handle of one checked-out connection. */
export interface RawConnection {
  /** Takes the connection out of the pool and closes its socket now, whatever it is doing. */
  destroy(): void;
}

/** Ties each checkout a pool makes to the acquire call that asked for it. */
export interface CheckoutWatch {
  /** Runs `acquire` (which checks out synchronously) and returns its result and the raw connection it got. */
  capture<T>(acquire: () => Promise<T>): { result: Promise<T>; raw: Promise<RawConnection | undefined> };
}

interface PgClient {
  release(destroy?: boolean | Error): void;
  connection?: { stream?: { destroy?: () => void } };
}

interface PgPool {
  connect(...args: unknown[]): Promise<PgClient> | undefined;
}

interface MysqlConnection {
  destroy(): void;
}

interface MysqlPool {
  getConnection(callback: (error: unknown, connection?: MysqlConnection) => void): void;
}

type Slot = (raw: Promise<RawConnection | undefined>) => void;

/** Makes `destroy` once-only: a connection cut mid-statement is destroyed again when it is released. */
function once(destroy: () => void): RawConnection {
  let done = false;
  return {
    destroy() {
      if (done) return;
      done = true;
      destroy();
    },
  };
}

const pgRaw = (client: PgClient): RawConnection =>
  once(() => {
    // release(true) takes it out of the pool (its slot is free at once); the socket is destroyed as well,
    // since ending it politely would wait for a peer that no longer answers.
    client.release(true);
    client.connection?.stream?.destroy?.();
  });

const mysqlRaw = (connection: MysqlConnection): RawConnection => once(() => connection.destroy());

function watchPg(pool: PgPool, claim: () => Slot | undefined): void {
  const connect = pool.connect;
  pool.connect = function watchedConnect(this: unknown, ...args: unknown[]) {
    const result = connect.apply(this, args);
    const slot = args.length === 0 ? claim() : undefined;
    if (slot && result) slot(result.then(pgRaw, () => undefined));
    return result;
  };
}

function watchMysql(pool: MysqlPool, claim: () => Slot | undefined): void {
  const getConnection = pool.getConnection;
  pool.getConnection = function watchedGetConnection(this: unknown, callback) {
    const slot = claim();
    if (!slot) return getConnection.call(this, callback);
    let got!: (raw: RawConnection | undefined) => void;
    slot(new Promise((resolve) => (got = resolve)));
    return getConnection.call(this, (error, connection) => {
      got(error || !connection ? undefined : mysqlRaw(connection));
      callback(error, connection);
    });
  };
}

/**
 * Watches the checkouts of a native pool (pg's `Pool`, mysql2's `Pool`); `undefined` for SQLite, whose one
 * in-process connection never stalls.
 */
export function watchCheckouts(dialect: Dialect, pool: unknown): CheckoutWatch | undefined {
  if (dialect === 'sqlite' || !pool) return undefined;
  let slot: Slot | undefined;
  const claim = () => {
    const s = slot;
    slot = undefined;
    return s;
  };
  if (dialect === 'postgresql') watchPg(pool as PgPool, claim);
  else watchMysql(pool as MysqlPool, claim);
  return {
    capture(acquire) {
      let raw: Promise<RawConnection | undefined> = Promise.resolve(undefined);
      slot = (r) => {
        raw = r;
      };
      let result: Promise<never>;
      try {
        result = acquire() as Promise<never>;
      } finally {
        slot = undefined;
      }
      return { result, raw };
    },
  };
}
