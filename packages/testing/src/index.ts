/**
 * `@kosha/testing`: SQLite in memory + ioredis-mock for users' tests, fixtures, factories and per-test
 * isolation. The conformance suites plugins run are in `@kosha/conformance`.
 * @packageDocumentation
 */

// The real-service helpers live with the suites that need them (a plugin cannot depend on this kit, which
// depends on the plugins); users' own real-service tests import them from here.
export { realService, type ScratchDatabase, type ServiceKind, scratchDatabase } from '@kosha/conformance';
export type { CacheInspector } from './cache-inspector.js';
export { defineFactory, type Factory, type FactoryDefaults, type FactoryValue } from './factory.js';
export { type TestDatabaseKind, testDatabases } from './test-databases.js';
export { createTestKosha, type TestKit, type TestKoshaOptions } from './test-kosha.js';
