// The HTTP adapter suite of @kosha/conformance on a Nest app, on Express and on Fastify: KoshaModule
// installs the request session, every suite route is a Nest controller method (`@Res({ passthrough: true })`
// for the status, a `StreamableFile` for the streamed replies), and errors go through Nest's exception filter;
// a failed commit is answered with Kosha's body on both platforms.
// SQLite in memory always, PostgreSQL when reachable (CI: always).
import 'reflect-metadata';
import { Readable } from 'node:stream';
import { type HttpAdapter, type HttpRoutes, httpConformance } from '@kosha/conformance';
import type { Kosha } from '@kosha/core';
import { testDatabases } from '@kosha/testing/conformance';
import { All, Body, Controller, Module, Res, StreamableFile } from '@nestjs/common';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { KoshaModule } from '../src/index.js';
import { listen, nestApp, PLATFORMS, type Platform } from './support/nest-app.js';

/** A controller with one method per suite route, decorated as a user would write it. */
function suiteController(routes: HttpRoutes, platform: Platform) {
  @Controller()
  class SuiteController {}
  for (const [path, action] of Object.entries(routes)) {
    const key = `route${path.replaceAll('/', '_')}`;
    const method = async function (this: unknown, body: { token?: string } | undefined, res: any) {
      const reply = await action(body?.token ?? '');
      if (platform === 'express') res.status(reply.status);
      else res.code(reply.status);
      if ('json' in reply) return reply.json;
      return new StreamableFile(Readable.from(reply.chunks()), { type: 'text/plain' });
    };
    Object.defineProperty(SuiteController.prototype, key, {
      value: method,
      configurable: true,
      writable: true,
    });
    const descriptor = Object.getOwnPropertyDescriptor(SuiteController.prototype, key)!;
    Body()(SuiteController.prototype, key, 0);
    Res({ passthrough: true })(SuiteController.prototype, key, 1);
    All(path)(SuiteController.prototype, key, descriptor);
  }
  return SuiteController;
}

function nestOn(platform: Platform): HttpAdapter {
  return {
    name: `Nest on ${platform === 'express' ? 'Express' : 'Fastify'}`,
    async start(kosha: Kosha, { mode, skipPath }, routes) {
      @Module({ controllers: [suiteController(routes, platform)] })
      class SuiteModule {}
      const app = await nestApp(platform, [
        KoshaModule.forRoot({ kosha, request: { mode, skip: (request) => request.url === skipPath } }),
        SuiteModule,
      ]);
      return listen(app);
    },
  };
}

for (const database of await testDatabases(['sqlite', 'postgresql'])) {
  for (const platform of PLATFORMS) {
    const runner = { describe, test: it, beforeAll, afterAll };
    describe.skipIf(!database.available)(database.name, () =>
      httpConformance(runner, nestOn(platform), database),
    );
  }
}
