/**
 * `@kosha/testing/conformance`: the databases the suites of `@kosha/conformance` run on, through
 * `@kosha/orm-mikro`. For plugin authors; it needs `@kosha/conformance` installed (an optional peer, so
 * the user's kit from `@kosha/testing` never brings the suites and their packages).
 *
 * ```ts
 * import { httpConformance } from '@kosha/conformance';
 * import { testDatabases } from '@kosha/testing/conformance';
 * ```
 * @packageDocumentation
 */
export { type TestDatabaseKind, testDatabases } from './test-databases.js';
