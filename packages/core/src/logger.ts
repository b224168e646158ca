/**
 * Anything with `debug`/`info`/`warn`/`error` methods — console, winston, pino. Kosha calls it as
 * `error(message, error)`: the message, then the error or whatever was thrown. `createKosha` wraps a
 * pino logger (object first, `{ err }`) with `pinoLogger`, so errors reach it as objects.
 *
 * ```ts
 * const kosha = await createKosha({ orm, logger: pino() });
 * ```
 */
export interface Logger {
  debug(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** A log level name. */
export type LogLevel = (typeof LEVELS)[number];

/** The default logger: console-backed, prefixed with `[kosha]`, `warn` level unless told otherwise. */
export function consoleLogger(level: LogLevel = 'warn'): Logger {
  const min = LEVELS.indexOf(level);
  const at = (l: LogLevel, sink: (...a: unknown[]) => void) =>
    LEVELS.indexOf(l) >= min
      ? (message: string, ...rest: unknown[]) => sink(`[kosha] ${message}`, ...rest)
      : () => {};
  return {
    debug: at('debug', console.debug),
    info: at('info', console.info),
    warn: at('warn', console.warn),
    error: at('error', console.error),
  };
}

/** Replaces the password (and any token in the user part) of a URL with `***`. Never throws. */
export function redactUrl(url: string): string {
  const hide = (_m: string, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon === -1 ? `${scheme}***@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
  };
  // After `//` the user part runs to the LAST `@`, as URL parsers read it: a password holding a raw
  // `@`, `/`, `?` or `#` (a malformed URL, the likely one in an error message) is still hidden whole.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)(.*)@/is, hide);
  return url.replace(/^([a-z][a-z0-9+.-]*:)([^@/?#]*)@/i, hide);
}

/** Redacts every URL-with-credentials found in a free text (error messages from drivers). */
export function redactSecrets(text: string): string {
  // Up to the last `@` of the same whitespace-free token, for the same reason as in redactUrl.
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/\S*@/gi, (m) => redactUrl(m));
}
