import type { OrmBackend, Session } from '@kosha/core';

/**
 * A database a suite runs on, described by whoever can reach it: `testDatabases()` of `@kosha/testing/conformance` gives
 * SQLite in memory and the real PostgreSQL and MariaDB through `@kosha/orm-mikro`; a new backend's author
 * writes one for theirs. This package imports no backend, so it gets them this way.
 */
export interface TestDatabase {
  /** Name shown in test titles: `SQLite`, `PostgreSQL`, `MariaDB`. */
  readonly name: string;
  /** The backend's dialect: `sqlite`, `postgresql`, `mysql`, `mariadb`. */
  readonly dialect: string;
  /** False when the service is not reachable here: skip its suites (under `CI`, `realService` throws instead). */
  readonly available: boolean;
  /** Creates a fresh, empty database and a backend on it (not yet initialised: `createKosha` does that). */
  open(options?: TestDatabaseOptions): Promise<OpenedTestDatabase>;
}

/** Options of {@link TestDatabase.open}. */
export interface TestDatabaseOptions {
  /** The most connections the backend's pool may open (where it has one). */
  maxConnections?: number | undefined;
}

/** A fresh database from {@link TestDatabase.open}. */
export interface OpenedTestDatabase {
  /** A backend on the new database, to pass to `createKosha({ orm })`. */
  readonly backend: OrmBackend;
  /** The new database's URL, for a second connection from outside the backend. */
  readonly url: string;
  /** Runs one statement of raw SQL (DDL the suite needs) on a session of `backend`. */
  execute(session: Session, sql: string): Promise<void>;
  /** Drops the database (a no-op in memory). Call it after closing the Kosha instance. */
  drop(): Promise<void>;
}
