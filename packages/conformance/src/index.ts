/**
 * `@kosha/conformance`: the suites every Kosha plugin passes — an ORM backend, a cache provider, an
 * HTTP adapter — and the harness they share. Each suite takes the test runner's functions and a factory
 * of the thing under test, so a plugin's suite file is a few lines:
 *
 * ```ts
 * import { cacheConformance } from '@kosha/conformance';
 * import { memoryCache } from '@kosha/core';
 * import { test } from 'vitest';
 *
 * cacheConformance(test, () => memoryCache());
 * ```
 * @packageDocumentation
 */
export {
  type BackendConformanceOptions,
  backendConformance,
} from './backend/backend-conformance.js';
export { ConfPerson, ConfRow } from './backend/entities.js';
export type { BackendFactory } from './backend/suite-context.js';
export {
  type CacheConformanceOptions,
  type CacheProviderFactory,
  type CacheTestFn,
  cacheConformance,
} from './cache/cache-conformance.js';
export { cacheHarness, capturingLogger } from './cache/cache-harness.js';
export { FakeBackend } from './cache/fake-backend.js';
export { call, type HttpAnswer, serve, type TestServer } from './http/http-client.js';
export { type HttpAdapter, httpConformance } from './http/http-conformance.js';
export { type HttpDatabase, openHttpDatabase } from './http/http-fixtures.js';
export type { HttpAction, HttpReply, HttpRoutes } from './http/http-scenarios.js';
export {
  expectedOutcome,
  type PropagationCase,
  type PropagationOutcome,
  propagationMatrix,
} from './propagation-oracle.js';
export { realService, type ScratchDatabase, type ServiceKind, scratchDatabase } from './services.js';
export { rejectionOf, type SuiteRunner, within } from './suite-runner.js';
export type { OpenedTestDatabase, TestDatabase, TestDatabaseOptions } from './test-database.js';
