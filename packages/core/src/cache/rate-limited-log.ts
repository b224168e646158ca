import type { Logger } from '../logger.js';

/** Logs a kind of message at most once per interval, with a count of what was held back. */
export interface RateLimitedLog {
  /** Logs `message` unless one of the same `kind` was logged less than an interval ago. */
  log(level: 'warn' | 'error', kind: string, message: string, error?: unknown): void;
}

/**
 * A {@link RateLimitedLog} over `logger`: an outage that fails every call writes one line per kind
 * per `intervalMs` (default 30 s), then says how many it suppressed.
 */
export function rateLimitedLog(
  logger: Logger,
  intervalMs = 30_000,
  now: () => number = Date.now,
): RateLimitedLog {
  const last = new Map<string, { at: number; suppressed: number }>();
  return {
    log(level, kind, message, error) {
      const t = now();
      const seen = last.get(kind);
      if (seen && t - seen.at < intervalMs) {
        seen.suppressed++;
        return;
      }
      const held = seen?.suppressed ? ` (${seen.suppressed} similar message(s) suppressed)` : '';
      last.set(kind, { at: t, suppressed: 0 });
      if (error === undefined) logger[level](message + held);
      else logger[level](message + held, error);
    },
  };
}
