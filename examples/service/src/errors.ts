import { DatabaseError, EntityNotFoundError } from '@kosha/core';

/** A request the service refuses as malformed (400). */
export class BadRequest extends Error {
  override name = 'BadRequest';
}

/** The HTTP answer for an error a route threw: the same mapping for Fastify and Express. */
export function errorResponse(error: unknown): { status: number; body: Record<string, unknown> } {
  if (error instanceof BadRequest) return { status: 400, body: { error: error.message } };
  if (error instanceof EntityNotFoundError) return { status: 404, body: { error: error.message } };
  if (error instanceof DatabaseError && error.kind === 'unique_violation') {
    return { status: 409, body: { error: 'conflict: that ISBN is taken', code: error.code } };
  }
  const status =
    (error as { statusCode?: number; status?: number }).statusCode ?? (error as { status?: number }).status;
  if (status !== undefined && status >= 400 && status < 500) {
    return { status, body: { error: (error as Error).message } };
  }
  return { status: 500, body: { error: 'internal error' } };
}
