import type { BeginOptions, IsolationLevel } from '@kosha/core';
import { IsolationLevel as MikroIsolation } from '@mikro-orm/core';
import type { Dialect } from './url.js';

/** Spring's isolation names → MikroORM's. `DEFAULT` leaves the database's own. */
export const ISOLATION: Record<IsolationLevel, MikroIsolation | undefined> = {
  DEFAULT: undefined,
  READ_UNCOMMITTED: MikroIsolation.READ_UNCOMMITTED,
  READ_COMMITTED: MikroIsolation.READ_COMMITTED,
  REPEATABLE_READ: MikroIsolation.REPEATABLE_READ,
  SERIALIZABLE: MikroIsolation.SERIALIZABLE,
};

/** Statements that give one transaction its settings, and those that undo them before it ends. */
export interface TransactionSettings {
  /** Run on the transaction's connection right after BEGIN. */
  readonly start: readonly string[];
  /** Run on the transaction's connection right before COMMIT or ROLLBACK. */
  readonly end: readonly string[];
}

const NONE: TransactionSettings = { start: [], end: [] };

/**
 * What BEGIN alone cannot say. SQLite has no read-only transactions, so a read-only one switches the
 * (single) connection to `query_only` for its duration. `timeout` becomes a statement timeout where the
 * database has one: transaction-local on PostgreSQL, a session variable restored before the connection
 * goes back to the pool on MySQL/MariaDB. The values are numbers Kosha computed (SET takes no bound
 * parameters), never user text.
 */
export function transactionSettings(
  dialect: Dialect,
  mariadb: boolean,
  options: BeginOptions,
  instanceTimeoutMs?: number,
): TransactionSettings {
  const ms = options.timeout === undefined ? undefined : Math.max(1, Math.ceil(options.timeout * 1000));
  switch (dialect) {
    case 'sqlite':
      return options.readOnly ? { start: ['pragma query_only = 1'], end: ['pragma query_only = 0'] } : NONE;
    case 'postgresql':
      return ms === undefined ? NONE : { start: [`set local statement_timeout = ${ms}`], end: [] };
    case 'mysql':
    case 'mariadb':
      if (ms === undefined) return NONE;
      // MariaDB counts seconds (fractions allowed); MySQL counts milliseconds and only for SELECTs. The
      // end restores the instance's own statement timeout, which every pooled connection carries.
      return mariadb
        ? {
            start: [`set session max_statement_time = ${ms / 1000}`],
            end: [
              `set session max_statement_time = ${instanceTimeoutMs === undefined ? 'default' : instanceTimeoutMs / 1000}`,
            ],
          }
        : {
            start: [`set session max_execution_time = ${ms}`],
            end: [
              `set session max_execution_time = ${instanceTimeoutMs === undefined ? 'default' : instanceTimeoutMs}`,
            ],
          };
  }
}
