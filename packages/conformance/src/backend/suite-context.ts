import type { Kosha, OrmBackend } from '@kosha/core';
import type { ConfPersonRepo, ConfRowRepo } from './entities.js';

/** Builds a fresh backend for the suite (e.g. `() => mikroOrm({ url })`). */
export type BackendFactory = () => OrmBackend | Promise<OrmBackend>;

/** What the parts of the backend suite share once the backend is up. */
export interface SuiteContext {
  kosha: Kosha;
  people: ConfPersonRepo;
  rows: ConfRowRepo;
  /** Sessions opened so far (to prove that validation happens before any SQL). */
  sessionsOpened(): number;
  /** A label no other test uses. */
  label(what: string): string;
  /** True when the backend can run a second transaction while one is open. */
  concurrent: boolean;
}
