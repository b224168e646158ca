import { type ConnectionPolicy, GuardedDriver } from './guarded-driver.js';
import type { KyselyDialect } from './kysely-subset.js';
import { cachingSqliteDriver } from './sqlite-statements.js';

/** A dialect whose driver is guarded, and that driver once Kysely has made it. */
export interface GuardedDialect extends KyselyDialect {
  /** The guarded driver (made on the first `createDriver`, which Kysely calls once). */
  readonly driver: GuardedDriver | undefined;
}

/**
 * Wraps a Kysely dialect (MikroORM's own, built by its connection) so that its driver is a
 * {@link GuardedDriver}; compiler, adapter and introspector are the dialect's.
 */
export function guardDialect(inner: KyselyDialect, policy: ConnectionPolicy): GuardedDialect {
  let driver: GuardedDriver | undefined;
  return {
    get driver() {
      return driver;
    },
    createDriver() {
      const raw = inner.createDriver();
      const statements = policy.sqliteStatements;
      driver = new GuardedDriver(statements ? cachingSqliteDriver(raw, statements) : raw, policy);
      return driver;
    },
    createQueryCompiler: () => inner.createQueryCompiler(),
    createAdapter: () => {
      const adapter = inner.createAdapter() as object;
      if (policy.dialect !== 'sqlite') return adapter;
      // Kysely locks SQLite's one connection when a transaction is *begun*; the dialect's driver locks it
      // again when it is *taken*, which the guard does at the transaction's first statement. Only the
      // second lock is kept, so that a transaction that runs nothing (a cache hit) locks nothing.
      return Object.create(adapter, { supportsMultipleConnections: { value: true } });
    },
    createIntrospector: (db) => inner.createIntrospector(db),
  };
}
