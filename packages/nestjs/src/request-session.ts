import { ConfigError, commitFailureResponse, type Kosha } from '@kosha/core';
import { type MiddlewareConsumer, RequestMethod } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import type { KoshaRequestInfo, KoshaRequestOptions } from './options.js';

/** The subset of a Fastify instance the plugin is registered on. */
interface FastifyLike {
  register(plugin: unknown, options: object): PromiseLike<unknown>;
}

/** The subset of a Fastify request and reply a failed commit's answer uses. */
interface FastifyRequestLike {
  readonly method: string;
  readonly url: string;
}
interface FastifyReplyLike {
  code(statusCode: number): FastifyReplyLike;
  send(payload: unknown): unknown;
}

/**
 * The answer to a failed commit on Fastify: Kosha's 500 and body, as @kosha/http-express gives on Express.
 * Without it the plugin hands the error to Fastify's error handler, which under Nest is Nest's exception
 * layer: a 500 with Nest's body, without the error's code or the word on what was saved.
 */
function answerCommitFailure(kosha: Kosha) {
  return (error: unknown, request: FastifyRequestLike, reply: FastifyReplyLike): void => {
    // The path only: the query string may carry tokens.
    kosha.logger.error(
      `${request.method} ${request.url.split('?')[0]}: the commit failed; answering 500`,
      error,
    );
    const { statusCode, body } = commitFailureResponse(error);
    reply.code(statusCode).send(body);
  };
}

/** An adapter package, imported only on the platform that needs it (both are optional peers). */
async function load<T>(name: string, platform: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    throw new ConfigError(
      `KoshaModule: the Nest app runs on ${platform}, whose request session is in ${name}: install it ` +
        `(npm i ${name}) or pass request: false to KoshaModule.forRoot.`,
      { cause: error },
    );
  }
}

/**
 * Installs the request session on the app's HTTP platform. Express: `dbMiddleware` as Nest middleware for
 * every route (Nest mounts it after the body parser, before the routes). Fastify: `dbPlugin` registered on
 * the adapter's instance before Nest adds its routes, so its hooks cover every route. Both are the
 * adapters the plain frameworks use: the commit before the first byte, the rollback on a 5xx or when the
 * client leaves, and the closing of the session behave exactly as there. A failed commit is answered with
 * Kosha's 500 and JSON body on both platforms (on Fastify through the plugin's `onCommitError`).
 */
export async function installRequestSession(
  kosha: Kosha,
  options: KoshaRequestOptions,
  adapter: AbstractHttpAdapter | undefined,
  consumer: MiddlewareConsumer,
): Promise<void> {
  // No HTTP server (NestFactory.createApplicationContext, a microservice): there are no requests.
  if (!adapter) return;
  const { skip, ...shared } = options;
  const type = adapter.getType();
  if (type === 'express') {
    const { dbMiddleware } = await load<typeof import('@kosha/http-express')>(
      '@kosha/http-express',
      'Express',
    );
    const middleware = dbMiddleware({
      ...shared,
      kosha,
      ...(skip
        ? {
            skip: (req: { method: string; originalUrl: string }) =>
              skip({ method: req.method, url: req.originalUrl }),
          }
        : {}),
    });
    consumer.apply(middleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
    return;
  }
  if (type === 'fastify') {
    const { dbPlugin } = await load<typeof import('@kosha/http-fastify')>('@kosha/http-fastify', 'Fastify');
    const fastify = adapter.getInstance<FastifyLike>();
    await fastify.register(dbPlugin, {
      ...shared,
      kosha,
      onCommitError: answerCommitFailure(kosha),
      ...(skip
        ? { skip: (request: KoshaRequestInfo) => skip({ method: request.method, url: request.url }) }
        : {}),
    } satisfies import('@kosha/http-fastify').DbPluginOptions);
    return;
  }
  throw new ConfigError(
    `KoshaModule: no request session for the HTTP platform '${type}': Kosha has adapters for Express and ` +
      'Fastify. Pass request: false and open sessions yourself (kosha.openSession()).',
  );
}
