import type { HttpAnswer, TestServer } from './http-client.js';
import type { HttpDatabase } from './http-fixtures.js';
import type { BackgroundResult, Checkpoints } from './http-scenarios.js';

/** What the tests of the HTTP suite share once its servers are up. */
export interface HttpSuiteContext {
  /** The database and its readers. */
  readonly d: HttpDatabase;
  /** The adapter in `mode: 'request'`. */
  readonly server: TestServer;
  /** The adapter in `mode: 'method'`. */
  readonly methodServer: TestServer;
  /** Where handlers wait for the test to let them go on. */
  readonly checkpoints: Checkpoints;
  /** What work left running after a request saw, by token. */
  readonly background: Map<string, BackgroundResult>;
  /** The backend has a connection pool (PostgreSQL), so connections in use can be counted. */
  readonly pooled: boolean;
  /** POSTs `{ token }` to `path` (on the request-mode server unless `target` says otherwise). */
  post(path: string, token: string, target?: TestServer): Promise<HttpAnswer>;
}

let counter = 0;

/** A token no other test (or process) uses. */
export const token = (what: string): string => `${what}-${process.pid}-${++counter}`;
