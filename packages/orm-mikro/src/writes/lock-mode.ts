import type { LockSpec } from '@kosha/core';
import { LockMode } from '@mikro-orm/core';

/** MikroORM's lock mode for a Kosha lock (`for update` / `for share`, `skip locked`, `nowait`). */
export function lockModeOf(lock: LockSpec): Exclude<LockMode, LockMode.OPTIMISTIC> {
  if (lock.mode === 'pessimistic_write') {
    if (lock.skipLocked) return LockMode.PESSIMISTIC_PARTIAL_WRITE;
    return lock.noWait ? LockMode.PESSIMISTIC_WRITE_OR_FAIL : LockMode.PESSIMISTIC_WRITE;
  }
  if (lock.skipLocked) return LockMode.PESSIMISTIC_PARTIAL_READ;
  return lock.noWait ? LockMode.PESSIMISTIC_READ_OR_FAIL : LockMode.PESSIMISTIC_READ;
}

/** The em read options of a lock: the lock mode, and a fresh read (the locked row, not the identity map's copy). */
export function lockOptions(lock: LockSpec | undefined): {
  lockMode?: Exclude<LockMode, LockMode.OPTIMISTIC>;
  refresh?: boolean;
} {
  return lock ? { lockMode: lockModeOf(lock), refresh: true } : {};
}
