/**
 * Borrowed internals, fenced (kysely 0.29.6 under @mikro-orm/sql 7.2.1–7.2.5: Kysely's `ControlledTransaction`
 * constructor and `getExecutor()`, both `@internal`; `test/borrowed-internals.test.ts` fails with a clear
 * message when an upgrade breaks them, and `learn` returns `undefined` so that transactions go through
 * `em.begin()` instead).
 *
 * MikroORM begins a transaction through `em.begin()`: events, Kysely's transaction builder, the
 * connection provider — some 40 µs of JavaScript and a dozen ticks, for a transaction that may run
 * nothing (a cache hit). Kosha builds the same Kysely `ControlledTransaction` directly, synchronously,
 * on a {@link GuardedConnection} that takes its pooled connection at the first statement, and hands it to
 * the EntityManager with the public `em.setTransactionContext`. Everything after — queries, savepoints,
 * `em.commit()`, `em.getKysely()` — is MikroORM's and Kysely's own code on that object.
 */
import type { GuardedConnection } from '../connection/guarded-connection.js';
import type { GuardedDriver } from '../connection/guarded-driver.js';
import type { KyselyConnection, KyselyDialect } from '../connection/kysely-subset.js';

/** What the guard reads of a Kysely instance: its executor, which can take another connection provider. */
interface KyselyClient {
  getExecutor(): { withConnectionProvider(provider: ConnectionProvider): unknown };
}

interface ConnectionProvider {
  provideConnection<T>(consumer: (connection: KyselyConnection) => Promise<T>): Promise<T>;
}

/** Kysely's `ControlledTransaction` constructor and the props it takes (kysely 0.29). */
type ControlledTransactionClass = new (props: {
  config: { dialect: KyselyDialect };
  dialect: KyselyDialect;
  driver: GuardedDriver;
  executor: unknown;
  connection: { connection: KyselyConnection; release(): void };
}) => object;

/** One connection for every statement of a transaction, one statement at a time (Kysely's own rule). */
class OneConnection implements ConnectionProvider {
  readonly #connection: KyselyConnection;
  #running: Promise<unknown> | undefined;

  constructor(connection: KyselyConnection) {
    this.#connection = connection;
  }

  async provideConnection<T>(consumer: (connection: KyselyConnection) => Promise<T>): Promise<T> {
    while (this.#running) await this.#running.catch(() => {});
    const run = (async () => consumer(this.#connection))().finally(() => {
      this.#running = undefined;
    });
    this.#running = run;
    return run;
  }
}

/** Builds transactions the way Kysely's `startTransaction().execute()` would, without the round of ticks. */
export class LazyTransactions {
  readonly #ControlledTransaction: ControlledTransactionClass;
  readonly #client: KyselyClient;
  readonly #driver: GuardedDriver;
  readonly #dialect: KyselyDialect;

  private constructor(
    Class: ControlledTransactionClass,
    client: KyselyClient,
    driver: GuardedDriver,
    dialect: KyselyDialect,
  ) {
    this.#ControlledTransaction = Class;
    this.#client = client;
    this.#driver = driver;
    this.#dialect = dialect;
  }

  /**
   * Learns Kysely's transaction class from one real transaction of `client` (begun lazily, so nothing is
   * sent), or returns `undefined` when that transaction is not what this file expects.
   */
  static async learn(
    client: unknown,
    driver: GuardedDriver,
    dialect: KyselyDialect,
  ): Promise<LazyTransactions | undefined> {
    const kysely = client as KyselyClient & { startTransaction?(): { execute(): Promise<object> } };
    if (typeof kysely.startTransaction !== 'function' || typeof kysely.getExecutor !== 'function')
      return undefined;
    const probe = (await kysely.startTransaction().execute()) as {
      rollback?(): { execute(): Promise<void> };
      isCommitted?: unknown;
    };
    await probe.rollback?.().execute();
    if (typeof probe.rollback !== 'function' || typeof probe.isCommitted !== 'boolean') return undefined;
    return new LazyTransactions(probe.constructor as ControlledTransactionClass, kysely, driver, dialect);
  }

  /** A Kysely transaction on `connection`, ready at once: nothing is sent until its first statement. */
  begin(connection: GuardedConnection): object {
    const driver = this.#driver;
    return new this.#ControlledTransaction({
      config: { dialect: this.#dialect },
      dialect: this.#dialect,
      driver,
      executor: this.#client.getExecutor().withConnectionProvider(new OneConnection(connection)),
      connection: {
        connection,
        // Kysely calls this synchronously after COMMIT/ROLLBACK; releasing never fails the caller.
        release: () =>
          void driver.releaseConnection(connection).catch((error: unknown) => driver.logFailure(error)),
      },
    });
  }
}
