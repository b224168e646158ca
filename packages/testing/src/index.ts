/**
 * `@kosha/testing`: SQLite in memory + ioredis-mock for users' tests, fixtures, and the conformance
 * suites every Kosha plugin runs.
 * @packageDocumentation
 */
export {
  type CacheConformanceOptions,
  type CacheProviderFactory,
  type CacheTestFn,
  cacheConformance,
} from './cache-conformance.js';
export type { CacheInspector } from './cache-inspector.js';
export {
  type BackendConformanceOptions,
  backendConformance,
} from './conformance/backend-conformance.js';
export { ConfPerson, ConfRow } from './conformance/entities.js';
export type { BackendFactory, SuiteRunner } from './conformance/runner.js';
export { defineFactory, type Factory, type FactoryDefaults, type FactoryValue } from './factory.js';
export {
  expectedOutcome,
  type PropagationCase,
  type PropagationOutcome,
  propagationMatrix,
} from './propagation-oracle.js';
export { realService, type ScratchDatabase, type ServiceKind, scratchDatabase } from './services.js';
export { createTestKosha, type TestKit, type TestKoshaOptions } from './test-kosha.js';
