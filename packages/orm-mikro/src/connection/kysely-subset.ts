/**
 * The part of Kysely's driver contract the connection guard implements and calls (kysely 0.29, the
 * version `@mikro-orm/sql` 7.2 ships). Described here rather than imported: Kysely is MikroORM's
 * dependency, not ours, and structural types keep the guard independent of which copy is installed.
 */

/** A compiled statement: the guard reads its text and parameters, and builds raw ones of its own. */
export interface CompiledStatement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
  readonly query: { readonly kind: string };
  readonly queryId?: { readonly queryId: string };
}

/** A statement's result. */
export interface StatementResult {
  readonly rows: unknown[];
  readonly numAffectedRows?: bigint;
  readonly numChangedRows?: bigint;
  readonly insertId?: bigint;
}

/** `AbortableOperationOptions`. */
export interface Abortable {
  readonly signal?: AbortSignal;
}

/** Kysely's `DatabaseConnection`. */
export interface KyselyConnection {
  executeQuery(query: CompiledStatement, options?: Abortable): Promise<StatementResult>;
  streamQuery(
    query: CompiledStatement,
    chunkSize: number,
    options?: Abortable,
  ): AsyncIterableIterator<StatementResult>;
}

/** Kysely's `TransactionSettings`. */
export interface TransactionSettings {
  readonly accessMode?: string;
  readonly isolationLevel?: string;
}

/** Kysely's `QueryCompiler['compileQuery']`, passed through untouched. */
export type CompileQuery = (node: never, queryId: never) => CompiledStatement;

/** Kysely's `Driver`. */
export interface KyselyDriver {
  init(options?: Abortable): Promise<void>;
  acquireConnection(options?: Abortable): Promise<KyselyConnection>;
  beginTransaction(connection: KyselyConnection, settings: TransactionSettings): Promise<void>;
  commitTransaction(connection: KyselyConnection): Promise<void>;
  rollbackTransaction(connection: KyselyConnection): Promise<void>;
  savepoint?(connection: KyselyConnection, name: string, compile: CompileQuery): Promise<void>;
  rollbackToSavepoint?(connection: KyselyConnection, name: string, compile: CompileQuery): Promise<void>;
  releaseSavepoint?(connection: KyselyConnection, name: string, compile: CompileQuery): Promise<void>;
  releaseConnection(connection: KyselyConnection, options?: Abortable): Promise<void>;
  destroy(options?: Abortable): Promise<void>;
}

/** Kysely's `Dialect`: the guard wraps the driver and passes the rest through. */
export interface KyselyDialect {
  createDriver(): KyselyDriver;
  createQueryCompiler(): unknown;
  createAdapter(): unknown;
  createIntrospector(db: unknown): unknown;
}

let ids = 0;

/** A raw statement of the guard's own (BEGIN settings, session setup), shaped as `CompiledQuery.raw` makes it. */
export function rawStatement(sql: string): CompiledStatement {
  return {
    sql,
    parameters: [],
    query: { kind: 'RawNode' },
    queryId: { queryId: `kosha-${++ids}` },
  };
}
