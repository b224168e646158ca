import { NoSessionError } from '../errors.js';
import { getKosha, type Kosha } from '../kosha.js';
import type { Session } from '../orm/orm-backend.js';
import { liveFrame } from '../transaction/frames.js';

/**
 * The session (unit of work) bound to the current async context for `kosha` (default: the current
 * instance). Throws `NoSessionError` outside a transaction, a session scope or an HTTP request, and
 * `ScopeEndedError` after the request or transaction it belonged to has ended.
 *
 * ```ts
 * const em = currentSession().native as EntityManager;
 * ```
 */
export function currentSession(kosha: Kosha = getKosha()): Session {
  const frame = liveFrame(kosha, 'currentSession()');
  if (!frame?.unit) {
    throw new NoSessionError(
      'No session is bound to this async context. Call this from a @transactional method, inside ' +
        'kosha.transaction(…), or in an HTTP request handled by the Kosha middleware.',
    );
  }
  return frame.unit.session;
}
