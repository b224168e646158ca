import { GuardedConnection } from '../connection/guarded-connection.js';

/**
 * What the guard reads of a MikroORM transaction context (a Kysely `ControlledTransaction`): its executor
 * (`Transaction.getExecutor()`, `@internal` in kysely 0.29; checked by `test/borrowed-internals.test.ts`).
 */
interface TransactionContext {
  getExecutor?(): { provideConnection<T>(consumer: (connection: unknown) => Promise<T>): Promise<T> };
}

/**
 * The guarded connection of the transaction an EntityManager has begun, or `undefined` without one.
 * The executor hands out the transaction's connection (MikroORM itself waits on it so).
 */
export async function transactionConnection(context: unknown): Promise<GuardedConnection | undefined> {
  const executor = (context as TransactionContext | undefined)?.getExecutor?.();
  if (!executor) return undefined;
  return executor.provideConnection(async (c) => (c instanceof GuardedConnection ? c : undefined));
}
