/**
 * `@kosha/http-fastify`: a Kosha session per request for Fastify 5, committed before the reply is sent.
 *
 * ```ts
 * import Fastify from 'fastify';
 * import { dbPlugin } from '@kosha/http-fastify';
 *
 * const app = Fastify();
 * await app.register(dbPlugin);
 * ```
 * @packageDocumentation
 */
export { dbPlugin } from './db-plugin.js';
export type { DbMode, DbPluginOptions } from './options.js';
