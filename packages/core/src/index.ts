/**
 * `@kosha/core`: the driver-neutral heart of Kosha — the context store, entity mapping, repositories,
 * transactions, the cache contract and decorators, configuration, errors and the plugin registry.
 *
 * ```ts
 * import { createKosha, DbRepo, entity, id, column, repository, transactional } from '@kosha/core';
 * import { mikroOrm } from '@kosha/orm-mikro';
 *
 * @entity class User { @id() id!: number; @column({ type: 'string' }) name!: string; }
 * @repository class UserRepo extends DbRepo<User> { constructor() { super(User); } }
 *
 * const kosha = await createKosha({ orm: mikroOrm({ url: 'sqlite::memory:' }) });
 * await kosha.schema.create();
 * ```
 * @packageDocumentation
 */
export { decodeValue, encodeValue } from './cache/cache-codec.js';
export { cacheEvict } from './cache/cache-evict.js';
export { cacheKey, type KeyFunction, keySegment } from './cache/cache-keys.js';
export type { CacheableOptions, CacheEvictOptions, CachePutOptions } from './cache/cache-options.js';
export type { CacheProvider, NetworkPolicy } from './cache/cache-provider.js';
export { cachePut } from './cache/cache-put.js';
export { type CacheStats, cacheStats } from './cache/cache-stats.js';
export { cacheable } from './cache/cacheable.js';
export { type MemoryCache, type MemoryCacheOptions, memoryCache } from './cache/memory-cache.js';
export type { CacheConfig, DatabaseConfig, KoshaConfig, PoolConfig } from './config/config.js';
export {
  DEFAULT_CACHE_URL,
  DEFAULT_DATABASE_URL,
  type LoadConfigOptions,
  loadConfig,
} from './config/load-config.js';
export { AsyncContextStore, type ContextStore } from './context/context-store.js';
export {
  type CacheEvent,
  cacheChannel,
  type KoshaEvent,
  type RequestEvent,
  requestChannel,
  type TransactionEvent,
  transactionChannel,
} from './diagnostics/channels.js';
export {
  CacheError,
  CommitUnknownError,
  ConfigError,
  DatabaseError,
  type DatabaseErrorKind,
  EntityNotFoundError,
  IllegalTransactionStateError,
  InvalidArgumentError,
  KoshaError,
  MappingError,
  MigrationError,
  NoSessionError,
  OptimisticLockError,
  ScopeEndedError,
  TransactionRequiredError,
  TransactionTimedOutError,
  UnexpectedRollbackError,
  UnknownFieldError,
} from './errors.js';
export { type CacheSettings, createKosha, getKosha, Kosha, type KoshaOptions } from './kosha.js';
export { consoleLogger, type Logger, type LogLevel, redactSecrets, redactUrl } from './logger.js';
export { type ClassDecorator, embeddable, index, unique } from './mapping/class-decorators.js';
export {
  type BareOrCalled,
  column,
  createdAt,
  deletedAt,
  entity,
  id,
  manyToOne,
  oneToMany,
  table,
  updatedAt,
  version,
} from './mapping/decorators.js';
export {
  embeddableMetadataOf,
  isEmbeddable,
  isEntity,
  metadataOf,
  registeredEntities,
  resolveEntities,
  snakeCase,
} from './mapping/entity-registry.js';
export {
  type FieldsOf,
  type Id,
  type InsertRow,
  type IsCompositeKey,
  type Opt,
  type OptionalFieldsOf,
  OptionalProps,
  type PrimaryKey,
  type PrimaryKeyOf,
  PrimaryKeyProp,
  type PrimaryKeyValue,
  type RelationValue,
  type WithKeys,
} from './mapping/entity-types.js';
export { holdsForeignKey } from './mapping/key-mapping.js';
export { type Many, many } from './mapping/many.js';
export {
  type Cascade,
  type ColumnOptions,
  type ColumnType,
  type ConstraintMetadata,
  type ConstraintOptions,
  type EmbeddableMetadata,
  type EmbeddedOptions,
  type EntityClass,
  type EntityMetadata,
  type IdOptions,
  isToMany,
  isToOne,
  type ManyToManyOptions,
  type OnDelete,
  type OneToManyOptions,
  type OneToOneOptions,
  type PropertyKind,
  type PropertyMetadata,
  type RelationOptions,
  type ToManyOptions,
} from './mapping/metadata.js';
export type { AsyncMethod, AsyncMethodDecorator, MethodDecoratorArgs } from './mapping/method-decorator.js';
export { checkId, describeId, hasId, idOf, keyFilter, keyOrder } from './mapping/primary-key.js';
export { embedded, manyToMany, oneToOne } from './mapping/relation-decorators.js';
export type {
  CreatedMigration,
  MigrateOptions,
  MigrationSettings,
  MigrationStatus,
  Migrations,
  SchemaAction,
} from './orm/migrations.js';
export type {
  BackendCapabilities,
  BackendInit,
  BeginOptions,
  ChangeNode,
  FieldFilter,
  FindOptions,
  IsolationLevel,
  LockSpec,
  NativeSession,
  NativeSessionTypes,
  OrmBackend,
  PoolStats,
  QuerySpec,
  ReadSpec,
  Session,
  SessionOptions,
  UpdateSpec,
  UpsertSpec,
} from './orm/orm-backend.js';
export { isPinoLogger, type ObjectFirstLogger, pinoLogger } from './pino-logger.js';
export { columnValue, describeValue, isTextType } from './query/column-values.js';
export { decodeCursor, encodeCursor } from './query/cursor.js';
export { type DerivedHost, derivedMethod } from './query/derived/derived-method.js';
export { type DerivedQuery, derivedQuery } from './query/derived/derived-query.js';
export {
  DERIVED_KEYWORDS,
  type DerivedKeyword,
  type DerivedOperator,
  IGNORE_CASE_WORDS,
} from './query/derived/keywords.js';
export {
  type DerivedKind,
  type DerivedOrder,
  type DerivedPredicate,
  type ParsedDerivedName,
  parseDerivedName,
} from './query/derived/parse-derived-name.js';
export type {
  DerivedFindMethod,
  DerivedFindOneOptions,
  DerivedFindOptions,
  DerivedMethod,
  DerivedNameError,
  ValidDerivedName,
} from './query/derived/types.js';
export {
  type FindOneOptions,
  MAX_PAGE_SIZE,
  type Page,
  type Pageable,
  type QueryOptions,
  type Selected,
  type Slice,
  type SliceRequest,
} from './query/find-options.js';
export { normalizeOrderBy, normalizePopulate, normalizeSelect } from './query/normalize-order.js';
export {
  comparedType,
  embeddedOf,
  isPlainObject,
  MAX_WHERE_DEPTH,
  normalizeWhere,
  type QueriedMetadata,
  queryProperty,
  targetOf,
} from './query/normalize-where.js';
export {
  and,
  between,
  contains,
  endsWith,
  eq,
  escapeLike,
  gt,
  gte,
  ilike,
  isIn,
  isNotNull,
  isNull,
  LIKE_ESCAPE,
  like,
  lt,
  lte,
  ne,
  not,
  notIn,
  Operator,
  type OperatorKind,
  type OperatorName,
  or,
  startsWith,
  type TextOptions,
  WhereGroup,
  type WhereGroupKind,
} from './query/operators.js';
export type {
  Direction,
  FieldCondition,
  OrderBy,
  Populate,
  RelationFieldsOf,
  RelationTarget,
  ScalarCondition,
  ScalarValue,
  ToOneCondition,
  Where,
  WhereFields,
} from './query/where.js';
export type {
  AndNode,
  CompareNode,
  CompareOp,
  Keyset,
  KeysetKey,
  NotNode,
  OrderNode,
  OrNode,
  SomeNode,
  WhereNode,
} from './query/where-tree.js';
export {
  type CacheProviderPlugin,
  cachePluginFor,
  type OrmBackendPlugin,
  ormPluginFor,
  registerCacheProvider,
  registerOrmBackend,
  urlScheme,
} from './registry.js';
export { DbRepo } from './repository/db-repo.js';
export { isRepository, repository } from './repository/repository.js';
export { currentSession } from './session/current-session.js';
export {
  type CommitFailureResponse,
  commitFailureResponse,
  type RequestOutcome,
  rollsBackRequest,
  serverError,
} from './session/request-outcome.js';
export {
  type RequestScopeOptions,
  type ResolvedRequestScope,
  resolveRequestScope,
} from './session/request-scope-options.js';
export type { SessionScope, SessionScopeOptions } from './session/session-scope.js';
export { afterCommit, afterRollback } from './transaction/hooks.js';
export {
  type ErrorMatcher,
  PROPAGATIONS,
  type Propagation,
  type TransactionOptions,
} from './transaction/transaction-options.js';
export { bindKosha, isKoshaBound, transactional } from './transaction/transactional.js';
export { decrement, Increment, increment, type UpdateChanges } from './write/update-values.js';
export type {
  GetByIdOptions,
  InsertOptions,
  LockMode,
  LockOptions,
  UpsertOptions,
  WithDeletedOption,
} from './write/write-options.js';
