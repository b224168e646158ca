/**
 * `@kosha/testing`: SQLite in memory + ioredis-mock for users' tests, fixtures, and the conformance
 * suites every Kosha plugin runs.
 * @packageDocumentation
 */
export {
  type BackendConformanceOptions,
  backendConformance,
} from './conformance/backend-conformance.js';
export { ConfPerson, ConfRow } from './conformance/entities.js';
export type { BackendFactory, SuiteRunner } from './conformance/runner.js';
export {
  expectedOutcome,
  type PropagationCase,
  type PropagationOutcome,
  propagationMatrix,
} from './propagation-oracle.js';
export { realService, type ScratchDatabase, type ServiceKind, scratchDatabase } from './services.js';
