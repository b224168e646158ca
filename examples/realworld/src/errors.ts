import { DatabaseError } from '@kosha/core';

/** An error with the HTTP status it answers with; the message goes to the client. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** 422 with the spec's `{ errors: { body: [...] } }`: the request cannot be done as asked. */
export const invalid = (message: string) => new HttpError(422, message);
/** 401: no `Authorization: Token …`, or one naming no user. */
export const unauthorized = () =>
  new HttpError(401, 'authorization required: send "Authorization: Token <token>"');
/** 403: the resource is someone else's. */
export const forbidden = (message: string) => new HttpError(403, message);
/** 404. */
export const notFound = (what: string) => new HttpError(404, `${what} not found`);

/** RealWorld's error answer for anything a route threw. */
export function errorResponse(error: unknown): { status: number; body: { errors: { body: string[] } } } {
  const answer = (status: number, message: string) => ({ status, body: { errors: { body: [message] } } });
  if (error instanceof HttpError) return answer(error.status, error.message);
  // Two requests racing for one username, email or slug: the unique constraint decides.
  if (error instanceof DatabaseError && error.kind === 'unique_violation')
    return answer(422, 'has already been taken');
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return answer(status, (error as Error).message);
  return answer(500, 'internal error');
}
