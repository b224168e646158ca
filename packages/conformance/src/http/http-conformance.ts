// The HTTP adapter suite: the behaviour every Kosha HTTP adapter must have, against a real server on
// 127.0.0.1. An adapter's suite file only says how to start its framework with the scenario routes.
import { InvalidArgumentError, type Kosha } from '@kosha/core';
import type { SuiteRunner } from '../suite-runner.js';
import type { TestDatabase } from '../test-database.js';
import { call, type TestServer } from './http-client.js';
import { type HttpDatabase, openHttpDatabase } from './http-fixtures.js';
import { methodModeTests } from './http-method-mode.js';
import { requestModeTests } from './http-request-mode.js';
import { type BackgroundResult, Checkpoints, type HttpRoutes, scenarioRoutes } from './http-scenarios.js';
import type { HttpSuiteContext } from './http-suite-context.js';

/** How the suite starts one framework. */
export interface HttpAdapter {
  /** The framework's name, for test titles. */
  readonly name: string;
  /**
   * Starts a server on 127.0.0.1, port 0: the adapter in `mode` with a `skip` for `skipPath`, a JSON body
   * parser, and `POST <path>` for every route (plus `GET` for `skipPath`).
   */
  start(
    kosha: Kosha,
    options: { mode: 'request' | 'method'; skipPath: string },
    routes: HttpRoutes,
  ): Promise<TestServer>;
}

/** The dialects the suite can make a COMMIT fail on (a constraint checked at COMMIT). */
const DIALECTS = ['sqlite', 'postgresql'];

/**
 * The suite every HTTP adapter runs, on one database: commit before the response leaves (JSON and
 * streamed), rollback on a throw or a 5xx, a failing COMMIT never answered with a 2xx, clients that leave
 * mid-request and mid-method, work left running after the response, 1,000 concurrent requests, body
 * parsing in the request's context, `skip`, and both modes. An adapter is done when it passes unchanged.
 *
 * ```ts
 * import { httpConformance } from '@kosha/conformance';
 * import { testDatabases } from '@kosha/testing/conformance';
 * import { afterAll, beforeAll, describe, it } from 'vitest';
 *
 * for (const database of await testDatabases(['sqlite', 'postgresql']))
 *   describe.skipIf(!database.available)(database.name, () =>
 *     httpConformance({ describe, test: it, beforeAll, afterAll }, myAdapter, database),
 *   );
 * ```
 */
export function httpConformance(runner: SuiteRunner, adapter: HttpAdapter, database: TestDatabase): void {
  if (!DIALECTS.includes(database.dialect)) {
    throw new InvalidArgumentError(
      `httpConformance runs on SQLite and PostgreSQL (it needs a constraint checked at COMMIT), not on ` +
        `${database.name} (dialect ${JSON.stringify(database.dialect)}): pass testDatabases(['sqlite', 'postgresql']).`,
    );
  }
  let state: HttpSuiteContext | undefined;
  const ctx = () => {
    if (!state) throw new Error('the HTTP suite did not start (see the beforeAll error)');
    return state;
  };

  runner.describe(`http conformance: ${adapter.name} on ${database.name}`, () => {
    let d: HttpDatabase | undefined;
    let server: TestServer | undefined;
    let methodServer: TestServer | undefined;

    runner.beforeAll(async () => {
      d = await openHttpDatabase(database);
      const checkpoints = new Checkpoints();
      const background = new Map<string, BackgroundResult>();
      const routes = scenarioRoutes(d, checkpoints, background);
      const withHealth = { ...routes, '/health': routes['/session']! };
      const requestMode = await adapter.start(d.kosha, { mode: 'request', skipPath: '/health' }, withHealth);
      server = requestMode;
      methodServer = await adapter.start(d.kosha, { mode: 'method', skipPath: '/health' }, withHealth);
      state = {
        d,
        server: requestMode,
        methodServer,
        checkpoints,
        background,
        pooled: database.dialect !== 'sqlite',
        post: (path, t, target = requestMode) => call(target, path, { token: t }),
      };
    });

    runner.afterAll(async () => {
      await server?.close();
      await methodServer?.close();
      await d?.close();
    });

    runner.describe("mode: 'request'", () => requestModeTests(runner, ctx));
    runner.describe("mode: 'method'", () => methodModeTests(runner, ctx));
  });
}
