import { type IsolationLevel, type Kosha, resolveRequestScope, serverError } from '@kosha/core';
import type { FastifyRequest } from 'fastify';

/**
 * How the plugin scopes transactions. `'request'`: one transaction per request, committed before the
 * reply is sent (the `@transactional` code of the request joins it). `'method'`: the request only gets a
 * session; each outermost `@transactional` call commits its own transaction.
 */
export type DbMode = 'request' | 'method';

/**
 * Options of {@link dbPlugin}. A failed commit is handed to Fastify's error handler (`setErrorHandler`),
 * like an error the handler threw, with the status preset to 500; a success status set there is raised to 500.
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
}

/** Options after validation. */
export interface ResolvedOptions {
  readonly kosha: Kosha | undefined;
  readonly transaction: boolean;
  readonly isolation: IsolationLevel | undefined;
  readonly skip: ((request: FastifyRequest) => boolean) | undefined;
  readonly rollbackOn: (statusCode: number) => boolean;
}

/** Validates the options once, when the adapter is created: a bad one is a `ConfigError` naming it. */
export function resolveOptions(options: DbPluginOptions | undefined): ResolvedOptions {
  const scope = resolveRequestScope('dbPlugin', options, ['skip', 'rollbackOn']);
  const o = options ?? {};
  return {
    ...scope,
    skip: o.skip,
    rollbackOn: o.rollbackOn ?? serverError,
  };
}
