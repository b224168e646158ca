/**
 * `@kosha/http-express`: a Kosha session per request for Express 5, committed before the response leaves.
 *
 * ```ts
 * import express from 'express';
 * import { dbMiddleware } from '@kosha/http-express';
 *
 * const app = express();
 * app.use(dbMiddleware());
 * ```
 * @packageDocumentation
 */
export { dbMiddleware } from './db-middleware.js';
export type { DbMiddlewareOptions, DbMode } from './options.js';
