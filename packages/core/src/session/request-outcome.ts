import { CommitUnknownError } from '../errors.js';

/** How an HTTP request ended, as the adapters see it when its response is about to leave. */
export interface RequestOutcome {
  /** The response's status code. */
  readonly statusCode: number;
  /** True when the framework saw the handler throw (Fastify's `onError`): the request rolls back. */
  readonly failed?: boolean | undefined;
  /** Statuses that roll the request back. Default: a 5xx. */
  readonly rollbackOn?: ((statusCode: number) => boolean) | undefined;
}

/** A 5xx rolls the request back unless the adapter was told otherwise. */
export const serverError = (statusCode: number): boolean => statusCode >= 500;

/**
 * The one commit-or-rollback decision of an HTTP request: roll back when it failed, when `rollbackOn`
 * says so, or when an inner call marked the transaction rollback-only and the response is an error
 * anyway; otherwise commit (a rollback-only transaction then fails its commit, and the response a 5xx).
 */
export function rollsBackRequest(outcome: RequestOutcome, rollbackOnly: boolean): boolean {
  const { statusCode } = outcome;
  return (
    outcome.failed === true ||
    (outcome.rollbackOn ?? serverError)(statusCode) ||
    (rollbackOnly && statusCode >= 400)
  );
}

/** The answer to a request whose commit failed. */
export interface CommitFailureResponse {
  /** Always a 5xx. */
  readonly statusCode: number;
  /** A JSON body: `statusCode`, `error`, `message` and the Kosha error `code` where there is one. */
  readonly body: {
    readonly statusCode: number;
    readonly error: string;
    readonly message: string;
    readonly code?: string | undefined;
  };
}

/**
 * What an HTTP adapter answers when the request's commit failed: a 500 saying that nothing the request
 * changed was saved — or, when the commit's reply was lost (`KOSHA_COMMIT_UNKNOWN`), that the outcome is
 * unknown, so that a client never retries a write that may have been saved on the word "nothing was saved".
 *
 * ```ts
 * const { statusCode, body } = commitFailureResponse(error);
 * res.status(statusCode).json(body);
 * ```
 */
export function commitFailureResponse(error: unknown): CommitFailureResponse {
  const code = (error as { code?: unknown } | null)?.code;
  const unknown = error instanceof CommitUnknownError || code === 'KOSHA_COMMIT_UNKNOWN';
  return {
    statusCode: 500,
    body: {
      statusCode: 500,
      error: 'Internal Server Error',
      message: unknown
        ? 'The outcome of this request is unknown: the database connection was lost while committing, so its ' +
          'changes may or may not have been saved. Check before retrying it.'
        : 'The transaction could not be committed: nothing this request changed was saved.',
      ...(typeof code === 'string' ? { code } : {}),
    },
  };
}
