import { type ConfigError, MappingError } from '../errors.js';
import {
  appliedKind,
  appliedTo,
  isDecoratorApplication,
  isStandardContext,
  isStaticMember,
  type StandardContext,
} from './decorator-modes.js';
import {
  addLegacyProperty,
  addStandardProperty,
  markEntity,
  markTable,
  snakeCase,
} from './entity-registry.js';
import type {
  ColumnOptions,
  EntityClass,
  IdOptions,
  OneToManyOptions,
  PropertyKind,
  PropertyMetadata,
  RelationOptions,
} from './metadata.js';

type PropertyDecorator = (target: unknown, keyOrContext: unknown, descriptor?: unknown) => void;
/** A decorator usable bare (`@id`) or called (`@id({ … })`). */
export type BareOrCalled<O> = PropertyDecorator & ((options?: O) => PropertyDecorator);

/** How a property of that kind is declared, for the fix a message suggests. */
function declaration(kind: PropertyKind, name: string): string {
  switch (kind) {
    case 'id':
      return `@id() ${name}!: number`;
    case 'column':
      return `@column({ type: 'string' }) ${name}!: string`;
    case 'version':
      return `@version() ${name}!: number`;
    case 'createdAt':
    case 'updatedAt':
      return `@${kind}() ${name}!: Date`;
    case 'deletedAt':
      return `@deletedAt() ${name}?: Date | null`;
    case 'manyToOne':
      return `@manyToOne(() => Target) ${name}!: Target`;
    case 'oneToMany':
      return `@oneToMany(() => Target, 'owner') ${name}: Many<Target> = many(this)`;
    case 'manyToMany':
      return `@manyToMany(() => Target) ${name}: Many<Target> = many(this)`;
    case 'oneToOne':
      return `@oneToOne(() => Target) ${name}!: Target`;
    case 'embedded':
      return `@embedded(() => Address) ${name}!: Address`;
  }
}

/** Records a mapped property, refusing anything that is not an instance field. */
export function record(
  target: unknown,
  keyOrContext: unknown,
  prop: Omit<PropertyMetadata, 'name'>,
  descriptor?: unknown,
): void {
  const standard = isStandardContext(keyOrContext);
  const isMember = standard
    ? keyOrContext.kind !== 'class'
    : typeof keyOrContext === 'string' || typeof keyOrContext === 'symbol';
  const name = standard ? String(keyOrContext.name) : String(keyOrContext);
  const where = `@${prop.kind} on ${appliedTo(target, keyOrContext)}: @${prop.kind} goes on an instance property`;
  // Legacy mode hands methods and accessors a descriptor; TC39 mode says the kind. Mapped properties
  // are plain fields (or, in TC39 mode, `accessor` fields).
  const isProperty = standard
    ? keyOrContext.kind === 'field' || keyOrContext.kind === 'accessor'
    : isMember && descriptor === undefined;
  if (!isProperty) {
    const kind = appliedKind(keyOrContext, descriptor);
    let fix = `Declare a property instead: \`${declaration(prop.kind, isMember ? name : 'name')}\`.`;
    if (kind === 'a getter/setter pair') {
      fix =
        'Legacy decorators (experimentalDecorators) lower an `accessor` field to one. ' +
        `Declare a plain field instead: \`${declaration(prop.kind, name)}\`.`;
    }
    throw new MappingError(`${where}, not on ${kind}. ${fix}`);
  }
  if (isStaticMember(target, keyOrContext)) {
    throw new MappingError(
      `${where}, not on a static one: a column belongs to each row, so remove \`static\`.`,
    );
  }
  if (standard) {
    addStandardProperty(keyOrContext.metadata, { ...prop, name });
  } else {
    addLegacyProperty(target as object, { ...prop, name });
  }
}

/** How a message names a value a decorator was given. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return value.name ? `the function ${value.name}` : 'a function';
  return String(value);
}

function scalar<O extends ColumnOptions>(kind: PropertyKind): BareOrCalled<O> {
  return ((...args: unknown[]) => {
    if (isDecoratorApplication(args)) return record(args[0], args[1], { kind, options: {} }, args[2]);
    const given = args[0];
    if (given !== undefined && (typeof given !== 'object' || given === null)) {
      const example =
        kind === 'column' ? "@column({ type: 'string' })" : `@${kind}() or @${kind}({ type: 'integer' })`;
      const onClass = typeof given === 'function' ? ` (on a class? @${kind} goes on a property)` : '';
      throw new MappingError(
        `@${kind} takes an options object, e.g. ${example}, got ${describe(given)}${onClass}.`,
      );
    }
    const options = (given ?? {}) as O;
    return (target: unknown, keyOrContext: unknown, descriptor?: unknown) =>
      record(target, keyOrContext, { kind, type: options.type, options: { ...options } }, descriptor);
  }) as BareOrCalled<O>;
}

/** Refuses a class decorator applied to a member, or given something that is not a class. */
export function checkClassTarget(
  decorator: string,
  Err: typeof MappingError | typeof ConfigError,
  cls: unknown,
  context: unknown,
  descriptor: unknown,
): void {
  const onMember = isStandardContext(context) ? context.kind !== 'class' : context !== undefined;
  if (onMember) {
    throw new Err(
      `@${decorator} on ${appliedTo(cls, context)}: @${decorator} goes on a class, not on ` +
        `${appliedKind(context, descriptor)}. Put it above the \`class\` keyword.`,
    );
  }
  if (typeof cls !== 'function') {
    throw new Err(`@${decorator} goes on a class, got ${describe(cls)}. Put it above the \`class\` keyword.`);
  }
}

/**
 * Marks a class as an entity and registers it. Without `@table`, the table is the snake_case of the class name.
 *
 * ```ts
 * @entity @table('users')
 * class User { @id() id!: number; @column({ type: 'string' }) name!: string; }
 * ```
 */
export function entity<C extends EntityClass>(cls: C, context?: unknown): C | undefined;
export function entity<C extends EntityClass>(
  cls: C,
  context?: unknown,
  descriptor?: unknown,
): C | undefined {
  if (cls === undefined && context === undefined) {
    throw new MappingError('@entity is used bare: write @entity above the class, not @entity().');
  }
  // A legacy decorator on a method gets (prototype, key, descriptor): the descriptor says which member kind.
  checkClassTarget('entity', MappingError, cls, context, descriptor);
  markEntity(cls);
  return undefined;
}

/** Sets the table of an entity. Order relative to `@entity` does not matter. */
export function table(name: string): <C extends EntityClass>(cls: C, context?: unknown) => C | undefined;
export function table(...args: unknown[]) {
  const name = args[0];
  if (typeof name === 'function' || isDecoratorApplication(args)) {
    // Applied bare: `@table` above the class (or a member) instead of `@table('name')`.
    const suggestion = typeof name === 'function' && name.name ? snakeCase(name.name) : 'users';
    throw new MappingError(
      `@table on ${appliedTo(name, args[1])}: @table must be called with the table name: ` +
        `@table('${suggestion}'), not a bare @table.`,
    );
  }
  return <C extends EntityClass>(cls: C, context?: unknown, descriptor?: unknown): C | undefined => {
    checkClassTarget('table', MappingError, cls, context, descriptor);
    if (typeof name !== 'string' || !name) {
      throw new MappingError(
        `@table on ${cls.name}: the table name must be a non-empty string, got ${describe(name)}. ` +
          `Write @table('${snakeCase(cls.name)}'), or leave @table out for that default.`,
      );
    }
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
 * Soft delete: a nullable datetime column set when the row is deleted. `delete`, `deleteEntity`,
 * `deleteWhere` and derived `deleteBy…` set it instead of deleting the row; every finder and query leaves
 * such rows out unless asked `{ withDeleted: true }`; `restore(id)` clears it.
 *
 * ```ts
 * @deletedAt() deletedAt?: Date | null;
 * ```
 */
export const deletedAt: BareOrCalled<Omit<ColumnOptions, 'nullable' | 'unique' | 'default'>> =
  scalar<ColumnOptions>('deletedAt');

/**
 * Many-to-one relation (the owning side, holding the foreign key).
 *
 * ```ts
 * @manyToOne(() => User, { eager: true }) author!: User;
 * ```
 */
export function manyToOne(target: () => EntityClass, options: RelationOptions = {}): PropertyDecorator {
  // Bare, it gets (prototype, key) in legacy mode or (undefined, context) in TC39 mode.
  if (isBareRelation(target, options)) {
    throw new MappingError(
      `@manyToOne on ${appliedTo(target, options)}: @manyToOne must be called with its target: ` +
        '@manyToOne(() => Target), not a bare @manyToOne.',
    );
  }
  checkRelationArguments('manyToOne', target, options, '@manyToOne(() => User, { eager: true })');
  return (t: unknown, k: unknown, d?: unknown) =>
    record(t, k, { kind: 'manyToOne', target, options: { ...options } }, d);
}

/**
 * One-to-many relation (the inverse side), `mappedBy` naming the `@manyToOne` property on the target.
 *
 * ```ts
 * @oneToMany(() => Post, 'author', { cascade: ['persist', 'remove'], orphanRemoval: true })
 * posts: Many<Post> = many(this);
 * ```
 */
export function oneToMany(
  target: () => EntityClass,
  mappedBy: string,
  options: OneToManyOptions = {},
): PropertyDecorator {
  if (isBareRelation(target, mappedBy)) {
    throw new MappingError(
      `@oneToMany on ${appliedTo(target, mappedBy)}: @oneToMany must be called with its target and mappedBy: ` +
        "@oneToMany(() => Target, 'owner'), not a bare @oneToMany.",
    );
  }
  checkRelationArguments('oneToMany', target, options, "@oneToMany(() => Post, 'author')");
  checkToManyOptions('oneToMany', options);
  return (t: unknown, k: unknown, d?: unknown) =>
    record(t, k, { kind: 'oneToMany', target, mappedBy, options: { ...options } }, d);
}

/** A relation decorator applied bare: (prototype, key) in legacy mode, (undefined, context) in TC39 mode. */
export function isBareRelation(target: unknown, second: unknown): boolean {
  return (
    isStandardContext(second) ||
    (typeof target === 'object' &&
      target !== null &&
      (typeof second === 'string' || typeof second === 'symbol'))
  );
}

/** Refuses a relation target that is not a function, or options that are not an object. */
export function checkRelationArguments(
  decorator: string,
  target: unknown,
  options: unknown,
  example: string,
): void {
  if (typeof target !== 'function') {
    throw new MappingError(
      `@${decorator} needs its target as a function returning the entity class, e.g. ${example}, got ${describe(target)}.`,
    );
  }
  if (typeof options !== 'object' || options === null) {
    throw new MappingError(
      `@${decorator} takes an options object, e.g. ${example}, got ${describe(options)}.`,
    );
  }
}

const CASCADES = ['persist', 'remove'];

/** Refuses a `cascade` that is not a list of `'persist'` / `'remove'`, and a non-boolean `orphanRemoval`. */
export function checkToManyOptions(decorator: string, options: OneToManyOptions): void {
  const { cascade, orphanRemoval } = options;
  if (decorator === 'manyToMany' && orphanRemoval !== undefined) {
    throw new MappingError(
      '@manyToMany has no orphanRemoval: removing an entity from a many-to-many deletes its pivot row only, ' +
        'as the entity may belong to other owners. Delete the entity itself where it becomes unused, or map ' +
        "the relation as @oneToMany(() => Child, 'parent', { orphanRemoval: true }).",
    );
  }
  if (cascade !== undefined && (!Array.isArray(cascade) || cascade.some((c) => !CASCADES.includes(c)))) {
    throw new MappingError(
      `@${decorator}: cascade is a list of 'persist' and 'remove', e.g. { cascade: ['persist', 'remove'] }, got ${describe(cascade)}.`,
    );
  }
  if (orphanRemoval !== undefined && typeof orphanRemoval !== 'boolean') {
    throw new MappingError(`@${decorator}: orphanRemoval is true or false, got ${describe(orphanRemoval)}.`);
  }
}

export type { StandardContext };
