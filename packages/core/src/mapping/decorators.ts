import { isStandardContext, type StandardContext } from './decorator-modes.js';
import { addLegacyProperty, addStandardProperty, markEntity, markTable } from './entity-registry.js';
import type {
  ColumnOptions,
  EntityClass,
  IdOptions,
  PropertyKind,
  PropertyMetadata,
  RelationOptions,
} from './metadata.js';

type PropertyDecorator = (target: unknown, keyOrContext: unknown, descriptor?: unknown) => void;
/** A decorator usable bare (`@id`) or called (`@id({ … })`). */
export type BareOrCalled<O> = PropertyDecorator & ((options?: O) => PropertyDecorator);

function record(
  target: unknown,
  keyOrContext: unknown,
  prop: Omit<PropertyMetadata, 'name'>,
  descriptor?: unknown,
): void {
  if (descriptor !== undefined) {
    // Legacy mode hands methods and accessors a descriptor; mapped properties are plain fields.
    throw new TypeError(
      `@${prop.kind} goes on a property, not on the method or accessor ${String(keyOrContext)}.`,
    );
  }
  if (isStandardContext(keyOrContext)) {
    if (keyOrContext.kind !== 'field' && keyOrContext.kind !== 'accessor') {
      throw new TypeError(`@${prop.kind} goes on a property, not on a ${keyOrContext.kind}.`);
    }
    addStandardProperty(keyOrContext.metadata, { ...prop, name: String(keyOrContext.name) });
  } else {
    addLegacyProperty(target as object, { ...prop, name: String(keyOrContext) });
  }
}

function isDecoratorCall(args: unknown[]): boolean {
  // A decorator application is (prototype, key) in legacy mode or (undefined, context) in TC39 mode.
  return (
    args.length >= 2 &&
    (isStandardContext(args[1]) || typeof args[1] === 'string' || typeof args[1] === 'symbol')
  );
}

function scalar<O extends ColumnOptions>(kind: PropertyKind): BareOrCalled<O> {
  return ((...args: unknown[]) => {
    if (isDecoratorCall(args)) return record(args[0], args[1], { kind, options: {} }, args[2]);
    const options = (args[0] ?? {}) as O;
    return (target: unknown, keyOrContext: unknown, descriptor?: unknown) =>
      record(target, keyOrContext, { kind, type: options.type, options: { ...options } }, descriptor);
  }) as BareOrCalled<O>;
}

/**
 * Marks a class as an entity and registers it. Without `@table`, the table is the snake_case of the class name.
 *
 * ```ts
 * @entity @table('users')
 * class User { @id() id!: number; @column({ type: 'string' }) name!: string; }
 * ```
 */
export function entity<C extends EntityClass>(cls: C, context?: unknown): C | undefined {
  if (isStandardContext(context) && context.kind !== 'class') throw new TypeError('@entity goes on a class.');
  markEntity(cls);
  return undefined;
}

/** Sets the table of an entity. Order relative to `@entity` does not matter. */
export function table(name: string) {
  if (typeof name !== 'string' || !name) throw new TypeError('@table(name) needs a non-empty table name.');
  return <C extends EntityClass>(cls: C, _context?: unknown): C | undefined => {
    markTable(cls, name);
    return undefined;
  };
}

/** The primary key. `@id()` is an auto-increment integer; `@id({ type: 'uuid' })` a client-set uuid. */
export const id: BareOrCalled<IdOptions> = scalar<IdOptions>('id');

/** A mapped column. `type` is required (there is no reflection by default). */
export const column: BareOrCalled<ColumnOptions> = scalar<ColumnOptions>('column');

/** Optimistic-locking version column, incremented on every update. */
export const version: BareOrCalled<ColumnOptions> = scalar<ColumnOptions>('version');

/** Set to the current time when the row is inserted. */
export const createdAt: BareOrCalled<ColumnOptions> = scalar<ColumnOptions>('createdAt');

/** Set to the current time when the row is inserted and on every update. */
export const updatedAt: BareOrCalled<ColumnOptions> = scalar<ColumnOptions>('updatedAt');

/**
 * Many-to-one relation (the owning side, holding the foreign key).
 *
 * ```ts
 * @manyToOne(() => User, { eager: true }) author!: User;
 * ```
 */
export function manyToOne(target: () => EntityClass, options: RelationOptions = {}): PropertyDecorator {
  return (t: unknown, k: unknown, d?: unknown) =>
    record(t, k, { kind: 'manyToOne', target, options: { ...options } }, d);
}

/**
 * One-to-many relation (the inverse side), `mappedBy` naming the `@manyToOne` property on the target.
 *
 * ```ts
 * @oneToMany(() => Post, 'author') posts!: Post[];
 * ```
 */
export function oneToMany(
  target: () => EntityClass,
  mappedBy: string,
  options: Pick<RelationOptions, 'eager'> = {},
): PropertyDecorator {
  return (t: unknown, k: unknown, d?: unknown) =>
    record(t, k, { kind: 'oneToMany', target, mappedBy, options: { ...options } }, d);
}

export type { StandardContext };
