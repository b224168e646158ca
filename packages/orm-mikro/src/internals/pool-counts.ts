import type { PoolStats } from '@kosha/core';
import type { Dialect } from '../url.js';

/**
 * The figures of a native pool: pg-pool's public counters; for mysql2, which keeps no public ones, the
 * lengths of the queues its own pool logic reads (`_allConnections`, `_freeConnections`,
 * `_connectionQueue`, private to mysql2 3.x).
 */
export function poolCounts(dialect: Dialect, pool: unknown): PoolStats {
  const p = pool as Record<string, { length?: number } | number | undefined> | undefined;
  if (!p) return { total: 0, idle: 0, waiting: 0 };
  if (dialect === 'postgresql') {
    return { total: Number(p.totalCount), idle: Number(p.idleCount), waiting: Number(p.waitingCount) };
  }
  const size = (key: string) => Number((p[key] as { length?: number } | undefined)?.length ?? 0);
  return {
    total: size('_allConnections'),
    idle: size('_freeConnections'),
    waiting: size('_connectionQueue'),
  };
}
