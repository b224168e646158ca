import { MappingError } from '../errors.js';
import { METADATA } from './decorator-modes.js';
import { compositeKeyProblems, isKeyPart } from './key-mapping.js';
import {
  COLUMN_TYPES,
  type ColumnType,
  type ConstraintMetadata,
  type EmbeddableMetadata,
  type EntityClass,
  type EntityMetadata,
  isToMany,
  type PropertyMetadata,
} from './metadata.js';
import { checkConstraints, checkRelations, settleOwnership } from './resolve-relations.js';

const PROPS = Symbol.for('kosha.properties');

interface ClassMarks {
  entity?: boolean;
  embeddable?: boolean;
  table?: string;
  constraints?: ConstraintMetadata[];
}

// Registries are the one kind of module state DESIGN §3 allows.
const marks = new WeakMap<object, ClassMarks>();
const legacyProps = new WeakMap<object, PropertyMetadata[]>();
const entities = new Set<EntityClass>();
const tableOnly = new Set<EntityClass>();
const resolved = new WeakMap<object, EntityMetadata>();
const embeddables = new Set<EntityClass>();
const resolvedEmbeddables = new WeakMap<object, EmbeddableMetadata>();
// Classes (legacy mode) and `Symbol.metadata` objects (TC39 mode) holding mapped properties: what
// createKosha checks for a forgotten @entity.
const legacyMapped = new Set<object>();
const standardMapped = new Set<Record<PropertyKey, unknown>>();

/** Records a property in legacy mode (decorated on the prototype). */
export function addLegacyProperty(prototype: object, prop: PropertyMetadata): void {
  const cls = (prototype as { constructor: object }).constructor;
  let list = legacyProps.get(cls);
  if (!list) legacyProps.set(cls, (list = []));
  upsert(list, prop);
  legacyMapped.add(cls);
}

/** Records a property in TC39 mode (on the class's `Symbol.metadata` object). */
export function addStandardProperty(
  metadata: Record<PropertyKey, unknown> | undefined,
  prop: PropertyMetadata,
): void {
  if (!metadata) {
    throw new MappingError(
      `@${prop.kind} on ${prop.name}: the class has no decorator metadata object. ` +
        'Import @kosha/core before the entity is defined (it installs the Symbol.metadata polyfill).',
    );
  }
  if (!Object.hasOwn(metadata, PROPS)) metadata[PROPS] = [];
  upsert(metadata[PROPS] as PropertyMetadata[], prop);
  standardMapped.add(metadata);
}

function upsert(list: PropertyMetadata[], prop: PropertyMetadata) {
  const i = list.findIndex((p) => p.name === prop.name);
  if (i === -1) list.push(prop);
  else list[i] = stacked(list[i]!, prop) ?? prop;
}

/**
 * `@id` stacked with a to-one relation on one property (`@id @manyToOne(() => User) follower`, Spring's
 * `@Id @ManyToOne`): the relation, its foreign key part of the primary key. Either order of the two.
 */
function stacked(a: PropertyMetadata, b: PropertyMetadata): PropertyMetadata | undefined {
  const [id, relation] = a.kind === 'id' ? [a, b] : [b, a];
  if (id.kind !== 'id' || !relation.target || relation.kind === 'oneToMany') return undefined;
  return { ...relation, options: { ...relation.options, primary: true } };
}

/** Marks a class as an entity. */
export function markEntity(cls: EntityClass): void {
  const m = marks.get(cls) ?? {};
  m.entity = true;
  marks.set(cls, m);
  entities.add(cls);
  tableOnly.delete(cls);
}

/** Marks a class as an `@embeddable`. */
export function markEmbeddable(cls: EntityClass): void {
  const m = marks.get(cls) ?? {};
  m.embeddable = true;
  marks.set(cls, m);
  embeddables.add(cls);
}

/** Records a `@unique([…])` or `@index([…])` of a class (the first one written is applied last). */
export function addConstraint(cls: EntityClass, constraint: ConstraintMetadata): void {
  const m = marks.get(cls) ?? {};
  (m.constraints ??= []).unshift(constraint);
  marks.set(cls, m);
}

/** True when the class was decorated with `@embeddable`. */
export function isEmbeddable(cls: unknown): cls is EntityClass {
  return typeof cls === 'function' && marks.get(cls)?.embeddable === true;
}

/** Sets a class's table name. */
export function markTable(cls: EntityClass, table: string): void {
  const m = marks.get(cls) ?? {};
  m.table = table;
  marks.set(cls, m);
  if (!m.entity) tableOnly.add(cls);
}

/** True when the class was decorated with `@entity`. */
export function isEntity(cls: unknown): cls is EntityClass {
  return typeof cls === 'function' && marks.get(cls)?.entity === true;
}

/** Every class decorated with `@entity` so far, in definition order. */
export function registeredEntities(): EntityClass[] {
  return [...entities];
}

/** `snake_case` of a `camelCase` or `PascalCase` name. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

function collectProperties(cls: EntityClass): PropertyMetadata[] {
  const chain: object[] = [];
  for (let c: object | null = cls; c && c !== Function.prototype; c = Object.getPrototypeOf(c))
    chain.unshift(c);
  const out: PropertyMetadata[] = [];
  for (const c of chain) {
    for (const p of legacyProps.get(c) ?? []) upsert(out, p);
    const md = Object.hasOwn(c, METADATA)
      ? (c as Record<symbol, Record<PropertyKey, unknown>>)[METADATA]
      : undefined;
    if (md && Object.hasOwn(md, PROPS)) for (const p of md[PROPS] as PropertyMetadata[]) upsert(out, p);
  }
  return out;
}

const DEFAULT_TYPES: Partial<Record<PropertyMetadata['kind'], ColumnType>> = {
  id: 'integer',
  version: 'integer',
  createdAt: 'datetime',
  updatedAt: 'datetime',
  deletedAt: 'datetime',
};

function designType(cls: EntityClass, prop: string): ColumnType | undefined {
  const reflect = Reflect as unknown as { getMetadata?: (k: string, t: object, p: string) => unknown };
  const t = reflect.getMetadata?.('design:type', cls.prototype as object, prop);
  if (t === String) return 'string';
  if (t === Boolean) return 'boolean';
  if (t === Date) return 'datetime';
  return undefined;
}

/**
 * The classes that carry mapping decorators but no `@entity`. A class with `@table` is one; so is a
 * class with mapped properties (`@id`, `@column`…), unless an `@entity` extends it (a mapped base class).
 */
function forgottenEntities(): string[] {
  // Every class, and TC39 metadata object, that an @entity is or inherits from. A class with @table
  // but no @entity counts too: it is reported as that, not again for its properties or its base's.
  const chains = new Set<object>();
  for (const cls of [...entities, ...tableOnly, ...embeddables]) {
    for (let c: object | null = cls; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
      chains.add(c);
      const md = Object.hasOwn(c, METADATA) ? (c as Record<symbol, object | undefined>)[METADATA] : undefined;
      if (md) chains.add(md);
    }
  }
  const problems = [...tableOnly].map(
    (cls) => `${cls.name} has @table but no @entity: add @entity to the class.`,
  );
  const orBase = 'or, if it is a base class, extend it with an @entity class.';
  for (const cls of legacyMapped) {
    if (chains.has(cls)) continue;
    const name = (cls as { name?: string }).name || 'An anonymous class';
    problems.push(
      `${name} has ${listed(legacyProps.get(cls)!)} but no @entity: add @entity to the class, ${orBase}`,
    );
  }
  for (const md of standardMapped) {
    if (chains.has(md)) continue;
    problems.push(
      `A class with ${listed(md[PROPS] as PropertyMetadata[])} has no @entity (TC39 property decorators ` +
        `are not told the class name): add @entity to it, ${orBase}`,
    );
  }
  return problems;
}

function listed(props: readonly PropertyMetadata[]): string {
  return props.map((p) => `@${p.kind} ${p.name}`).join(', ');
}

/**
 * Validates and returns the metadata of a set of entity classes: every class must be an `@entity`,
 * have a primary key (one `@id`, or several: a composite key), at most one `@version`, known column types, relations to entities in the
 * set and its own table. With `registered` (what `createKosha` does when it is given no `entities`
 * and maps every registered one) it also refuses every class that has mapping decorators but no
 * `@entity`: one with `@table`, or with mapped properties that no `@entity` inherits. An explicit list
 * is checked as listed: a listed class without `@entity` is refused.
 */
export function resolveEntities(
  classes: readonly EntityClass[],
  { registered = false }: { registered?: boolean | undefined } = {},
): EntityMetadata[] {
  const problems: string[] = [];
  if (registered) {
    problems.push(...forgottenEntities());
  } else {
    for (const cls of tableOnly) {
      if (classes.includes(cls))
        problems.push(`${cls.name} has @table but no @entity: add @entity to the class.`);
    }
  }
  const out: EntityMetadata[] = [];
  const tables = new Map<string, string>();
  for (const cls of classes) {
    if (!isEntity(cls)) {
      problems.push(
        `${(cls as { name?: string })?.name ?? String(cls)} is not an entity: decorate it with @entity.`,
      );
      continue;
    }
    const cached = resolved.get(cls);
    if (cached) {
      out.push(cached);
      continue;
    }
    const props = collectProperties(cls).map((p) => ({ ...p, options: { ...p.options } }));
    const ids = props.filter(isKeyPart);
    if (ids.length === 0) problems.push(`${cls.name} has no @id property: mark its primary key with @id().`);
    problems.push(...compositeKeyProblems(cls.name, ids));
    const deleted = props.filter((p) => p.kind === 'deletedAt');
    if (deleted.length > 1) {
      problems.push(
        `${cls.name} has ${deleted.length} @deletedAt properties (${deleted.map((p) => p.name).join(', ')}): use one.`,
      );
    }
    for (const p of deleted) p.options.nullable = true;
    const versions = props.filter((p) => p.kind === 'version');
    if (versions.length > 1) {
      problems.push(
        `${cls.name} has ${versions.length} @version properties (${versions.map((p) => p.name).join(', ')}): use one.`,
      );
    }
    for (const p of props) {
      if (p.target) {
        settleOwnership(cls.name, p, problems);
        continue;
      }
      resolveColumn(cls, p, problems, ids.length === 1);
    }
    const tableName = marks.get(cls)?.table ?? snakeCase(cls.name);
    const other = tables.get(tableName);
    if (other)
      problems.push(
        `${other} and ${cls.name} are both mapped to table "${tableName}": give one a different @table.`,
      );
    tables.set(tableName, cls.name);
    if (ids.length === 0) continue;
    // What a built-in finder compares with one value: columns and the relations that hold a foreign key.
    const fieldNames = new Set(
      props
        .filter((p) => !isToMany(p) && p.kind !== 'embedded' && !(p.kind === 'oneToOne' && !p.owner))
        .map((p) => p.name),
    );
    const constraints = [...(marks.get(cls)?.constraints ?? [])];
    checkConstraints(cls.name, props, constraints, problems);
    out.push({
      class: cls,
      name: cls.name,
      tableName,
      properties: props,
      primaryKeys: ids,
      primaryKey: ids[0]!,
      compositeKey: ids.length > 1,
      fieldNames,
      ...(deleted[0] ? { deletedAt: deleted[0] } : {}),
      constraints,
    });
  }
  checkRelations(out, problems, (cls) => embeddableMeta(cls, problems));
  if (problems.length) throw new MappingError(`Invalid entity mapping:\n  - ${problems.join('\n  - ')}`);
  for (const m of out) resolved.set(m.class, m);
  return out;
}

/** Gives a column its name and type, or says what is missing. `single`: the entity's key is one `@id`. */
function resolveColumn(cls: EntityClass, p: PropertyMetadata, problems: string[], single = true): void {
  p.columnName = p.options.name ?? snakeCase(p.name);
  p.type ??= p.options.type ?? DEFAULT_TYPES[p.kind] ?? designType(cls, p.name);
  if (!p.type) {
    problems.push(
      `${cls.name}.${p.name} has no column type: give @column({ type: … }) one of ${COLUMN_TYPES.join(', ')}.`,
    );
  } else if (!COLUMN_TYPES.includes(p.type)) {
    problems.push(
      `${cls.name}.${p.name} has unknown column type ${JSON.stringify(p.type)}: use one of ${COLUMN_TYPES.join(', ')}.`,
    );
  }
  if (p.kind === 'id' && p.options.autoincrement === undefined) {
    // A part of a composite key is given by the application: none of them is generated.
    p.options.autoincrement = single && (p.type === 'integer' || p.type === 'bigint');
  }
}

/** The metadata of an `@embeddable` class (its `@column`s), or undefined with the problems said. */
function embeddableMeta(cls: EntityClass, problems: string[]): EmbeddableMetadata | undefined {
  const cached = resolvedEmbeddables.get(cls);
  if (cached) return cached;
  const props = collectProperties(cls).map((p) => ({ ...p, options: { ...p.options } }));
  const before = problems.length;
  for (const p of props) {
    if (p.kind !== 'column') {
      problems.push(
        `${cls.name}.${p.name}: an @embeddable holds @column properties only, not @${p.kind}. Make it a @column, or move it to the entity.`,
      );
      continue;
    }
    resolveColumn(cls, p, problems);
  }
  if (props.length === 0) problems.push(`@embeddable ${cls.name} has no @column properties: give it some.`);
  if (problems.length > before) return undefined;
  const meta: EmbeddableMetadata = { class: cls, name: cls.name, properties: props };
  resolvedEmbeddables.set(cls, meta);
  return meta;
}

/** The resolved metadata of an `@embeddable` class, once an entity embedding it has been resolved. */
export function embeddableMetadataOf(cls: EntityClass): EmbeddableMetadata {
  const problems: string[] = [];
  const meta = isEmbeddable(cls) ? embeddableMeta(cls, problems) : undefined;
  if (!meta) {
    throw new MappingError(
      `${cls.name} is not a mapped embeddable: ${problems[0] ?? 'decorate it with @embeddable'}.`,
    );
  }
  return meta;
}

/** The resolved metadata of an entity class, once it has been through {@link resolveEntities}. */
export function metadataOf<T extends object>(cls: EntityClass<T>): EntityMetadata<T> {
  const m = resolved.get(cls) ?? resolveEntities([cls as EntityClass])[0];
  if (!m) throw new MappingError(`${cls.name} is not a mapped entity: decorate it with @entity.`);
  return m as EntityMetadata<T>;
}
