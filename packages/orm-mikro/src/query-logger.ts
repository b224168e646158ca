import { type Logger, redactSecrets } from '@kosha/core';
import type { LogContext, LoggerNamespace, Logger as MikroLogger } from '@mikro-orm/core';

/**
 * MikroORM's logger interface, writing to the Kosha logger. With `debug` on, every SQL statement is
 * logged at debug level — as MikroORM sends it with placeholders, never with the bound values — and
 * every message passes through `redactSecrets`, so a URL with credentials never reaches the log.
 */
export class QueryLogger implements MikroLogger {
  readonly #logger: Logger;
  #debugMode: boolean | LoggerNamespace[];

  constructor(logger: Logger, debug: boolean) {
    this.#logger = logger;
    // `query` only: `query-params` would inline the bound values (user data, tokens) into the log.
    this.#debugMode = debug ? ['query'] : false;
  }

  log(namespace: string, message: string, context?: LogContext): void {
    if (context?.level === 'error') this.error(namespace, message, context);
    else if (context?.level === 'warning') this.warn(namespace, message, context);
    else if (this.isEnabled(namespace as LoggerNamespace, context)) {
      this.#logger.debug(`[${namespace}] ${redactSecrets(message)}`);
    }
  }

  error(namespace: string, message: string, _context?: LogContext): void {
    this.#logger.error(`[mikro-orm ${namespace}] ${redactSecrets(message)}`);
  }

  warn(namespace: string, message: string, _context?: LogContext): void {
    this.#logger.warn(`[mikro-orm ${namespace}] ${redactSecrets(message)}`);
  }

  logQuery(context: LogContext): void {
    const namespace = context.namespace ?? 'query';
    // MikroORM logs BEGIN, COMMIT, ROLLBACK and savepoints — untimed — when it asks for them, but the
    // connection guard sends them only when they reach the wire (a transaction that runs nothing sends
    // none): it logs them itself, timed, through `statement`.
    if (context.took === undefined && context.level !== 'error') return;
    // A failing statement is logged like the others; the error itself reaches the caller translated.
    if (!this.isEnabled(namespace, { ...context, level: undefined })) return;
    const facts = [`took ${context.took ?? 0} ms`];
    if (context.results !== undefined) facts.push(`${context.results} rows`);
    if (context.affected !== undefined) facts.push(`${context.affected} affected`);
    if (context.level === 'error') facts.push('failed');
    if (context.connection?.type === 'read')
      facts.push(`via read replica ${context.connection.name ?? ''}`.trim());
    this.#logger.debug(`[sql] ${redactSecrets(String(context.query ?? ''))} [${facts.join(', ')}]`);
  }

  /** Logs a statement the connection guard sent itself. */
  statement(sql: string, tookMs: number, failed: boolean): void {
    if (!this.isEnabled('query')) return;
    const facts = [`took ${Math.round(tookMs)} ms`, ...(failed ? ['failed'] : [])];
    this.#logger.debug(`[sql] ${redactSecrets(sql)} [${facts.join(', ')}]`);
  }

  setDebugMode(debugMode: boolean | LoggerNamespace[]): void {
    this.#debugMode = debugMode;
  }

  isEnabled(namespace: LoggerNamespace, context?: LogContext): boolean {
    if (context?.enabled !== undefined) return context.enabled;
    const mode = context?.debugMode ?? this.#debugMode;
    return !!mode && (!Array.isArray(mode) || mode.includes(namespace));
  }
}
