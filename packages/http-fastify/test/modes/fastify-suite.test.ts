// The HTTP adapter suite on Fastify 5 (shared with @kosha/http-express, whose test folder holds it). POST
// bodies are parsed in the socket's async context, so this also checks the preValidation re-entry.
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import Fastify from 'fastify';
import type { TestServer } from '../../../http-express/test/support/client.js';
import { httpAdapterSuite } from '../../../http-express/test/support/http-suite.js';
import { dbPlugin } from '../../src/index.js';

httpAdapterSuite({
  name: 'Fastify',
  async start(kosha, { mode, skipPath }, routes): Promise<TestServer> {
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
});
