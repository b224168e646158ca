import { ConfigError, type IsolationLevel, type Kosha } from '@kosha/core';
import type { Request, Response } from 'express';

/**
 * How the middleware scopes transactions. `'request'`: one transaction per request, committed before the
 * response leaves (the `@transactional` code of the request joins it). `'method'`: the request only gets a
 * session; each outermost `@transactional` call commits its own transaction.
 */
export type DbMode = 'request' | 'method';

/** Options of {@link dbMiddleware}. */
export interface DbMiddlewareOptions {
  /** The Kosha instance. Default: `getKosha()` when each request arrives (the process default). */
  kosha?: Kosha;
  /** `'request'` (default) or `'method'`; see {@link DbMode}. */
  mode?: DbMode;
  /** Isolation level of the request transaction (`mode: 'request'` only). Default: the database's. */
  isolation?: IsolationLevel;
  /** Return true for requests that need no session (health checks, static files): they pass straight through. */
  skip?: (req: Request, res: Response) => boolean;
  /** Which response statuses roll the request transaction back instead of committing it. Default: `status >= 500`. */
  rollbackOn?: (statusCode: number) => boolean;
  /**
   * Answers a request whose commit failed. The response is reset first (status 500, the handler's body and
   * content headers dropped); write an error response synchronously (`res.status(409).json(…)`). A status
   * below 400 is raised to 500: a failed commit never reads as a success. Default: 500 with a JSON body.
   */
  onCommitError?: (error: unknown, req: Request, res: Response) => void;
}

/** Options after validation. */
export interface ResolvedOptions {
  readonly kosha: Kosha | undefined;
  readonly transaction: boolean;
  readonly isolation: IsolationLevel | undefined;
  readonly skip: ((req: Request, res: Response) => boolean) | undefined;
  readonly rollbackOn: (statusCode: number) => boolean;
  readonly onCommitError: ((error: unknown, req: Request, res: Response) => void) | undefined;
}

const KNOWN = ['kosha', 'mode', 'isolation', 'skip', 'rollbackOn', 'onCommitError'];
const MODES = ['request', 'method'];
const ISOLATIONS = ['DEFAULT', 'READ_UNCOMMITTED', 'READ_COMMITTED', 'REPEATABLE_READ', 'SERIALIZABLE'];

const serverError = (statusCode: number) => statusCode >= 500;

function fail(option: string, message: string): never {
  throw new ConfigError(`dbMiddleware: \`${option}\` ${message}`);
}

/** Validates the options once, when the middleware is created. Throws a `ConfigError` naming the bad option. */
export function resolveOptions(options: DbMiddlewareOptions | undefined): ResolvedOptions {
  const o = options ?? {};
  if (typeof o !== 'object') throw new ConfigError('dbMiddleware: options must be an object.');
  for (const key of Object.keys(o)) {
    if (!KNOWN.includes(key)) fail(key, `is not an option. Known options: ${KNOWN.join(', ')}.`);
  }
  if (o.kosha !== undefined && typeof (o.kosha as Partial<Kosha>)?.openSession !== 'function') {
    fail('kosha', 'must be a Kosha instance from `await createKosha(…)`.');
  }
  const mode = o.mode ?? 'request';
  if (!MODES.includes(mode)) fail('mode', `must be 'request' or 'method', got ${JSON.stringify(o.mode)}.`);
  if (o.isolation !== undefined) {
    if (!ISOLATIONS.includes(o.isolation)) {
      fail('isolation', `must be one of ${ISOLATIONS.join(', ')}, got ${JSON.stringify(o.isolation)}.`);
    }
    if (mode === 'method') {
      fail('isolation', "applies to the request transaction: with mode 'method' give it to @transactional.");
    }
  }
  for (const key of ['skip', 'rollbackOn', 'onCommitError'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'function') fail(key, 'must be a function.');
  }
  return {
    kosha: o.kosha,
    transaction: mode === 'request',
    isolation: o.isolation,
    skip: o.skip,
    rollbackOn: o.rollbackOn ?? serverError,
    onCommitError: o.onCommitError,
  };
}
