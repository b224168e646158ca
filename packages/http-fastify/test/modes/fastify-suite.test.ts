// The HTTP adapter suite of @kosha/conformance on Fastify 5. POST bodies are parsed in the socket's async
// context, so this also checks the preValidation re-entry. SQLite in memory always, PostgreSQL when
// reachable (CI: always).
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { type HttpAdapter, httpConformance } from '@kosha/conformance';
import { testDatabases } from '@kosha/testing/conformance';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { dbPlugin } from '../../src/index.js';

const fastify5: HttpAdapter = {
  name: 'Fastify',
  async start(kosha, { mode, skipPath }, routes) {
    const app = Fastify();
    await app.register(dbPlugin, { kosha, mode, skip: (request) => request.url === skipPath });
    for (const [path, action] of Object.entries(routes)) {
      app.route({
        method: ['GET', 'POST'],
        url: path,
        handler: async (request, reply) => {
          const answer = await action((request.body as { token?: string } | undefined)?.token ?? '');
          reply.code(answer.status);
          if ('json' in answer) return answer.json;
          reply.type('text/plain');
          return Readable.from(answer.chunks());
        },
      });
    }
    await app.listen({ port: 0, host: '127.0.0.1' });
    return {
      url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
      close: () => app.close(),
    };
  },
};

const runner = { describe, test: it, beforeAll, afterAll };
for (const database of await testDatabases(['sqlite', 'postgresql'])) {
  describe.skipIf(!database.available)(database.name, () => httpConformance(runner, fastify5, database));
}
