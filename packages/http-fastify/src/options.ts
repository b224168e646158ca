import { type IsolationLevel, type Kosha, resolveRequestScope, serverError } from '@kosha/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * How the plugin scopes transactions. `'request'`: one transaction per request, committed before the
 * reply is sent (the `@transactional` code of the request joins it). `'method'`: the request only gets a
 * session; each outermost `@transactional` call commits its own transaction.
 */
export type DbMode = 'request' | 'method';

/**
 * Options of {@link dbPlugin}. A failed commit is handed to Fastify's error handler (`setErrorHandler`),
 * like an error the handler threw, with the status preset to 500 — or to `onCommitError` when it is given;
 * a success status set by either is raised to 500.
 */
export interface DbPluginOptions {
  /** The Kosha instance. Default: `getKosha()` when each request arrives (the process default). */
  kosha?: Kosha | undefined;
  /** `'request'` (default) or `'method'`; see {@link DbMode}. */
  mode?: DbMode | undefined;
  /** Isolation level of the request transaction (`mode: 'request'` only). Default: the database's. */
  isolation?: IsolationLevel | undefined;
  /** Return true for requests that need no session (health checks, static files): they pass straight through. */
  skip?: ((request: FastifyRequest) => boolean) | undefined;
  /**
   * Which reply statuses roll the request transaction back instead of committing it. Default: `status >= 500`.
   * An error thrown by a hook or the handler always rolls back, whatever status the error handler answers.
   */
  rollbackOn?: ((statusCode: number) => boolean) | undefined;
  /**
   * Answers a request whose commit failed, instead of the error handler (for an app whose error handler is
   * not its own: Nest's exception layer). The reply is reset first (status 500, the handler's payload
   * dropped, its `Content-Type` and `Content-Length` removed); send the answer or return its body, as from
   * `setErrorHandler`. A status below 400 is raised to 500: a failed commit never reads as a success. An
   * error it throws goes to the error handler. Default: none, the error handler answers.
   */
  onCommitError?: ((error: unknown, request: FastifyRequest, reply: FastifyReply) => unknown) | undefined;
}

/** Options after validation. */
export interface ResolvedOptions {
  readonly kosha: Kosha | undefined;
  readonly transaction: boolean;
  readonly isolation: IsolationLevel | undefined;
  readonly skip: ((request: FastifyRequest) => boolean) | undefined;
  readonly rollbackOn: (statusCode: number) => boolean;
  readonly onCommitError:
    | ((error: unknown, request: FastifyRequest, reply: FastifyReply) => unknown)
    | undefined;
}

/** Validates the options once, when the adapter is created: a bad one is a `ConfigError` naming it. */
export function resolveOptions(options: DbPluginOptions | undefined): ResolvedOptions {
  const scope = resolveRequestScope('dbPlugin', options, ['skip', 'rollbackOn', 'onCommitError']);
  const o = options ?? {};
  return {
    ...scope,
    skip: o.skip,
    rollbackOn: o.rollbackOn ?? serverError,
    onCommitError: o.onCommitError,
  };
}
