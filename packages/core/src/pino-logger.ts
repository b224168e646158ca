import type { Logger, LogLevel } from './logger.js';

/**
 * The subset of a pino logger Kosha relies on (pino and bunyan call shape): the object comes first,
 * the message second.
 */
export interface ObjectFirstLogger {
  /** Logs at debug level: `(object, message)` or `(message)`. */
  debug(object: object | string, message?: string): void;
  /** Logs at info level. */
  info(object: object | string, message?: string): void;
  /** Logs at warn level. */
  warn(object: object | string, message?: string): void;
  /** Logs at error level. */
  error(object: object | string, message?: string): void;
}

const ADAPTED = Symbol('kosha.adaptedLogger');
const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * Wraps a logger whose methods take `(object, message)` — pino, bunyan, or one shaped like them — as
 * a Kosha {@link Logger}. Kosha calls its logger as `error(message, error)`; pino would read the
 * error as a format argument and drop it (`{"msg":"request failed"}`). Wrapped, the error becomes
 * the logged object: pino serializes it under its `errorKey` (`err` by default) with message and
 * stack. A message alone is passed as is.
 *
 * `createKosha` wraps a pino logger by itself (see {@link isPinoLogger}); call this for a logger it
 * does not recognise, such as a wrapper around pino or a bunyan logger.
 *
 * ```ts
 * const kosha = await createKosha({ orm, logger: pinoLogger(myPinoWrapper) });
 * ```
 */
export function pinoLogger(target: ObjectFirstLogger): Logger {
  if ((target as { [ADAPTED]?: true })[ADAPTED]) return target as unknown as Logger;
  const at =
    (level: LogLevel) =>
    (message: string, ...rest: unknown[]) => {
      if (rest.length === 0) return target[level](message);
      const [first, ...more] = rest;
      // An Error goes first as itself: pino puts it under the errorKey the user configured. Anything else
      // thrown (a string, a cross-realm object) goes under `err`, which pino's error serializer reads.
      const object: object =
        first instanceof Error && more.length === 0
          ? first
          : { err: first, ...(more.length ? { details: more } : {}) };
      target[level](object, message);
    };
  const logger = Object.fromEntries(LEVELS.map((level) => [level, at(level)])) as unknown as Logger;
  Object.defineProperty(logger, ADAPTED, { value: true });
  return logger;
}

/**
 * Whether `logger` is a pino logger (or a child of one): it has pino's `levels` table
 * (`{ labels, values }`), `bindings()` and `child()`. Fastify's `app.log` and `request.log` are.
 */
export function isPinoLogger(logger: unknown): logger is ObjectFirstLogger {
  const l = logger as {
    levels?: { labels?: unknown; values?: unknown };
    bindings?: unknown;
    child?: unknown;
  };
  return (
    typeof l === 'object' &&
    l !== null &&
    typeof l.bindings === 'function' &&
    typeof l.child === 'function' &&
    typeof l.levels?.values === 'object' &&
    typeof l.levels?.labels === 'object' &&
    LEVELS.every((level) => typeof (l as Record<string, unknown>)[level] === 'function')
  );
}

/** The logger Kosha writes to: a pino logger wrapped by {@link pinoLogger}, anything else as given. */
export function adaptLogger(logger: Logger): Logger {
  return isPinoLogger(logger) ? pinoLogger(logger) : logger;
}
