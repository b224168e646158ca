import { type IsolationLevel, type Kosha, resolveRequestScope, serverError } from '@kosha/core';
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
  kosha?: Kosha | undefined;
  /** `'request'` (default) or `'method'`; see {@link DbMode}. */
  mode?: DbMode | undefined;
  /** Isolation level of the request transaction (`mode: 'request'` only). Default: the database's. */
  isolation?: IsolationLevel | undefined;
  /** Return true for requests that need no session (health checks, static files): they pass straight through. */
  skip?: ((req: Request, res: Response) => boolean) | undefined;
  /** Which response statuses roll the request transaction back instead of committing it. Default: `status >= 500`. */
  rollbackOn?: ((statusCode: number) => boolean) | undefined;
  /**
   * Answers a request whose commit failed. The response is reset first (status 500, the handler's body and
   * content headers dropped); write an error response synchronously (`res.status(409).json(…)`). A status
   * below 400 is raised to 500: a failed commit never reads as a success. Default: 500 with a JSON body.
   */
  onCommitError?: ((error: unknown, req: Request, res: Response) => void) | undefined;
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

/** Validates the options once, when the adapter is created: a bad one is a `ConfigError` naming it. */
export function resolveOptions(options: DbMiddlewareOptions | undefined): ResolvedOptions {
  const scope = resolveRequestScope('dbMiddleware', options, ['skip', 'rollbackOn', 'onCommitError']);
  const o = options ?? {};
  return {
    ...scope,
    skip: o.skip,
    rollbackOn: o.rollbackOn ?? serverError,
    onCommitError: o.onCommitError,
  };
}
