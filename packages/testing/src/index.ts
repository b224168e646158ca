/**
 * `@kosha/testing`: SQLite in memory + ioredis-mock for users' tests, fixtures, factories and per-test
 * isolation. The conformance suites plugins run are in `@kosha/conformance`; the databases they run on
 * in `@kosha/testing/conformance`.
 * @packageDocumentation
 */
export type { CacheInspector } from './cache-inspector.js';
export { defineFactory, type Factory, type FactoryDefaults, type FactoryValue } from './factory.js';
export { createTestKosha, type TestKit, type TestKoshaOptions } from './test-kosha.js';
