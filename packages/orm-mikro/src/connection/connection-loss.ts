import type { Dialect } from '../url.js';

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * True when a driver error means the connection itself can no longer be trusted — the link broke, the
 * server ended the session — as opposed to the server refusing one statement on a healthy connection.
 * Such a connection is destroyed, never handed back to the pool.
 */
export function isConnectionLoss(dialect: Dialect, error: unknown): boolean {
  if (dialect === 'sqlite') return false;
  const e = error as { code?: unknown; fatal?: unknown; errno?: unknown } | null;
  if (!e || typeof e !== 'object') return true;
  if (dialect === 'postgresql') {
    const code = typeof e.code === 'string' ? e.code : undefined;
    // No SQLSTATE: the error did not come from the server (a reset, a closed client, a protocol error).
    if (!code || !SQLSTATE.test(code)) return true;
    // Connection exceptions, and the server shutting the session down (admin, crash, restart).
    return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03';
  }
  // mysql2 marks every error after which the connection is unusable as fatal.
  if (e.fatal === true) return true;
  return typeof e.errno !== 'number';
}

/**
 * True when the driver refused to send a statement because it already knew its connection was gone —
 * the statement certainly never reached the database (a COMMIT refused so saved nothing).
 */
export function neverSent(dialect: Dialect, error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message !== 'string') return false;
  if (dialect === 'postgresql') return /is not queryable/i.test(message);
  if (dialect === 'mysql' || dialect === 'mariadb') return /closed state/i.test(message);
  return false;
}
