import { CacheError } from '../errors.js';
import {
  embeddableMetadataOf,
  isEntity,
  metadataOf,
  registeredEntities,
  resolveEntities,
} from '../mapping/entity-registry.js';
import {
  type EntityClass,
  type EntityMetadata,
  isToMany,
  type PropertyMetadata,
} from '../mapping/metadata.js';

// Format v1: `k1:` + JSON. JSON values stand for themselves; every other value is an object whose
// first key is `$k` (a tag): D Date (epoch ms), B BigInt, n NaN/±Infinity/-0, u undefined, M Map, S Set,
// Buf Buffer, TA typed array, E entity, R entity seen again (a cycle), N object without prototype,
// o a plain object that itself has a `$k` key. Decoding only builds these types: nothing is
// evaluated, and no prototype is chosen by the payload except a registered entity's.
const HEADER = 'k1:';
const TAG = '$k';

const TYPED_ARRAYS = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const tagged = (tag: string, fields: Record<string, Json>): Json => ({ [TAG]: tag, ...fields });
const bytes = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

function unsupported(what: string): never {
  throw new CacheError(
    `A ${what} cannot be cached: cache plain data, Date, BigInt, Map, Set, Buffer, typed arrays or @entity classes.`,
  );
}

// Entity classes by name, rebuilt when a name is not found (entities register when their module loads).
let byName = new Map<string, EntityClass | 'ambiguous'>();

function entityByName(name: string): EntityClass | undefined {
  let found = byName.get(name);
  if (found === undefined) {
    byName = new Map();
    for (const cls of registeredEntities()) byName.set(cls.name, byName.has(cls.name) ? 'ambiguous' : cls);
    found = byName.get(name);
  }
  if (found === 'ambiguous')
    throw new CacheError(`Two @entity classes are named ${name}: a cached ${name} is ambiguous.`);
  return found;
}

/** The entity's mapping; an entity no Kosha instance has mapped yet is resolved with its registered peers. */
function mappingOf(cls: EntityClass): EntityMetadata {
  try {
    return metadataOf(cls);
  } catch {
    const meta = resolveEntities(registeredEntities()).find((m) => m.class === cls);
    return meta ?? unsupported(`${cls.name} without a valid mapping`);
  }
}

function encodeEntity(value: object, cls: EntityClass, path: Set<object>): Json {
  if (entityByName(cls.name) !== cls)
    unsupported(`${cls.name} that is not the registered entity of that name`);
  const meta = mappingOf(cls);
  const data = value as Record<string, unknown>;
  if (path.has(value)) return tagged('R', { c: cls.name, id: encode(data[meta.primaryKey.name], path) });
  path.add(value);
  const fields: Record<string, Json> = {};
  for (const p of meta.properties) {
    // To-many collections belong to the ORM's unit of work; they are loaded again, not cached.
    if (isToMany(p) || data[p.name] === undefined) continue;
    const v = data[p.name];
    // An @embedded value is stored as its fields; decoding gives it its class again (embeddedOf).
    fields[p.name] =
      p.kind === 'embedded' && v !== null ? encode({ ...(v as object) }, path) : encode(v, path);
  }
  path.delete(value);
  return tagged('E', { c: cls.name, v: fields });
}

// The @embedded properties of each entity class, found once: most have none, and a hit pays nothing then.
const embeddedProps = new WeakMap<EntityClass, readonly PropertyMetadata[]>();

/** Gives the embedded values of a decoded entity their `@embeddable` classes. */
function embeddedOf(cls: EntityClass, fields: Record<string, unknown>): Record<string, unknown> {
  let props = embeddedProps.get(cls);
  if (!props) {
    props = mappingOf(cls).properties.filter((p) => p.kind === 'embedded');
    embeddedProps.set(cls, props);
  }
  for (const p of props) {
    const v = fields[p.name];
    if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
      define(fields, p.name, instanceOf(p.target!() as EntityClass, v as Record<string, unknown>, true));
    }
  }
  return fields;
}

function encodeObject(value: object, path: Set<object>): Json {
  if (Array.isArray(value)) {
    if (path.has(value)) unsupported('value that contains itself');
    path.add(value);
    const out: Json[] = [];
    for (let i = 0; i < value.length; i++) out.push(encode(value[i], path));
    path.delete(value);
    return out;
  }
  if (value instanceof Date)
    return tagged('D', { v: Number.isNaN(value.getTime()) ? null : value.getTime() });
  if (Buffer.isBuffer(value)) return tagged('Buf', { v: bytes(value) });
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name as TypedArrayName;
    if (TYPED_ARRAYS[name] !== value.constructor) unsupported(value.constructor.name);
    return tagged('TA', { c: name, v: bytes(value) });
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    if (isEntity(value.constructor)) return encodeEntity(value, value.constructor, path);
    if (!(value instanceof Map) && !(value instanceof Set)) {
      unsupported(`${value.constructor?.name ?? 'class'} instance (not an @entity)`);
    }
  }
  if (path.has(value)) unsupported('value that contains itself');
  path.add(value);
  let out: Json;
  if (value instanceof Map)
    out = tagged('M', { v: [...value].map(([k, v]) => [encode(k, path), encode(v, path)]) });
  else if (value instanceof Set) out = tagged('S', { v: [...value].map((v) => encode(v, path)) });
  else {
    const fields: Record<string, Json> = {};
    for (const k of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) define(fields, k, encode(v, path));
    }
    if (proto === null) out = tagged('N', { v: fields });
    else out = Object.hasOwn(value, TAG) ? tagged('o', { v: fields }) : fields;
  }
  path.delete(value);
  return out;
}

function encode(value: unknown, path: Set<object>): Json {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) ? value : tagged('n', { v: String(value) });
    case 'bigint':
      return tagged('B', { v: value.toString() });
    case 'undefined':
      return tagged('u', {});
    case 'object':
      return value === null ? null : encodeObject(value, path);
    default:
      return unsupported(typeof value);
  }
}

/**
 * Encodes a value for the cache: a versioned, tagged JSON text. Throws a `CacheError` for what
 * cannot round-trip (functions, symbols, instances of classes that are not `@entity`, cycles
 * outside entities); the decorators then log and skip caching.
 */
export function encodeValue(value: unknown): string {
  return HEADER + JSON.stringify(encode(value, new Set()));
}

function corrupt(why: string): never {
  throw new CacheError(`Unreadable cache entry (${why}): treated as a miss.`);
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  // A plain assignment to "__proto__" would set the prototype: a payload must never choose one.
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else target[key] = value;
}

/**
 * Revives the values of an object in place. `JSON.parse` made it: a plain object with own data
 * properties only (a `"__proto__"` key included, as data), so it is reused rather than copied.
 */
function reviveFields(node: unknown): Record<string, unknown> {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) corrupt('object expected');
  const o = node as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v !== null && typeof v === 'object') {
      const r = revive(v as Json);
      if (r !== v) define(o, k, r);
    }
  }
  return o;
}

/**
 * Makes instances of one entity class holding one list of fields, in that order: a constructor written
 * for the list (`this["id"] = f["id"]; …`) whose `prototype` is the class's, so the instance has its
 * final shape from the start. `make` is undefined for a list it cannot build (see {@link makerFor}).
 */
interface Maker {
  readonly keys: readonly string[];
  readonly make: (new (fields: Record<string, unknown>) => object) | undefined;
}

/** Per entity class: its mapped property names, and the makers of the field lists seen so far. */
interface Shapes {
  readonly names: ReadonlySet<string>;
  readonly makers: Maker[];
}

let shapes = new WeakMap<EntityClass, Shapes>();
/** Field lists kept per class (an entity's hits come in a few: a field left out when undefined). */
const MAX_SHAPES = 16;
/** False once `new Function` was refused (`--disallow-code-generation-from-strings`). */
let codegen = true;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The maker of `keys` for `cls`. None (`make` undefined) when a key is not a mapped property — only
 * the mapping's names, never a payload's, go into the code — or when one is found on the prototype
 * chain (`__proto__`, an accessor the ORM or the class defines): an assignment would run its setter,
 * so such fields are given the prototype afterwards instead.
 */
function makerFor(cls: EntityClass, names: ReadonlySet<string>, keys: string[]): Maker {
  const proto = cls.prototype as object;
  if (!codegen || keys.some((k) => !names.has(k) || k in proto)) return { keys, make: undefined };
  try {
    const body = keys.map((k) => `this[${JSON.stringify(k)}] = f[${JSON.stringify(k)}];`).join('\n');
    const make = new Function('f', body) as new (fields: Record<string, unknown>) => object;
    make.prototype = proto;
    return { keys, make };
  } catch {
    codegen = false;
    return { keys, make: undefined };
  }
}

/**
 * An entity instance with these fields as its own data, no setter of the class (or of the ORM, which
 * puts accessors on entity prototypes) run while decoding: built by the field list's maker, or filled
 * as a plain object first and then given the class's prototype. `Object.setPrototypeOf` onto a
 * prototype the ORM has decorated costs a hit several times what the maker does.
 */
function entityOf(cls: EntityClass, fields: Record<string, unknown>): object {
  return instanceOf(cls, fields, false);
}

/** The cached properties of an entity, or all of an embeddable's (none when it has no mapping: no maker then). */
function propertiesOf(cls: EntityClass, embeddable: boolean): readonly PropertyMetadata[] {
  if (!embeddable) return mappingOf(cls).properties.filter((p) => !isToMany(p));
  try {
    return embeddableMetadataOf(cls).properties;
  } catch {
    return [];
  }
}

/** {@link entityOf} for an entity class, or an `@embeddable` class (`embeddable`). */
function instanceOf(cls: EntityClass, fields: Record<string, unknown>, embeddable: boolean): object {
  let known = shapes.get(cls);
  if (known === undefined) {
    const names = new Set(propertiesOf(cls, embeddable).map((p) => p.name));
    known = { names, makers: [] };
    shapes.set(cls, known);
  }
  const keys = Object.keys(fields);
  let maker: Maker | undefined;
  for (const m of known.makers) {
    if (sameKeys(m.keys, keys)) {
      maker = m;
      break;
    }
  }
  if (maker === undefined) {
    maker = makerFor(cls, known.names, keys);
    if (known.makers.length < MAX_SHAPES) known.makers.push(maker);
  }
  return maker.make ? new maker.make(fields) : Object.setPrototypeOf(fields, cls.prototype);
}

/** Forgets every maker: `createKosha` calls it once its ORM has decorated the entities' prototypes. */
export function forgetEntityShapes(): void {
  shapes = new WeakMap();
}

function str(node: Record<string, Json>, field: string): string {
  const v = node[field];
  return typeof v === 'string' ? v : corrupt(`"${field}" of a ${String(node[TAG])} is not text`);
}

function revive(node: Json): unknown {
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const v = node[i]!;
      if (v !== null && typeof v === 'object') node[i] = revive(v) as Json;
    }
    return node;
  }
  if (!Object.hasOwn(node, TAG)) return reviveFields(node);
  const tag = node[TAG];
  switch (tag) {
    case 'D':
      if (node.v !== null && typeof node.v !== 'number') corrupt('date');
      return new Date(node.v ?? Number.NaN);
    case 'B':
      return BigInt(str(node, 'v'));
    case 'n': {
      const v = str(node, 'v');
      if (!['NaN', 'Infinity', '-Infinity', '0'].includes(v)) corrupt(`number ${v}`);
      return v === '0' ? -0 : Number(v);
    }
    case 'u':
      return undefined;
    case 'M':
      if (!Array.isArray(node.v)) corrupt('map entries');
      return new Map(
        node.v.map((e) =>
          Array.isArray(e) && e.length === 2 ? [revive(e[0]!), revive(e[1]!)] : corrupt('map entry'),
        ),
      );
    case 'S':
      if (!Array.isArray(node.v)) corrupt('set items');
      return new Set(node.v.map(revive));
    case 'Buf':
      return Buffer.from(str(node, 'v'), 'base64');
    case 'TA': {
      const name = str(node, 'c');
      const Ctor = Object.hasOwn(TYPED_ARRAYS, name)
        ? TYPED_ARRAYS[name as TypedArrayName]
        : corrupt(`typed array ${name}`);
      const b = Buffer.from(str(node, 'v'), 'base64');
      if (b.byteLength % Ctor.BYTES_PER_ELEMENT) corrupt(`${name} length`);
      const copy = new Uint8Array(b).buffer;
      return new Ctor(copy);
    }
    case 'E':
    case 'R': {
      const name = str(node, 'c');
      const cls = entityByName(name) ?? corrupt(`entity ${name} is not registered in this process`);
      if (tag === 'E') return entityOf(cls, embeddedOf(cls, reviveFields(node.v)));
      const ref: Record<string, unknown> = {};
      define(ref, mappingOf(cls).primaryKey.name, revive(node.id ?? null));
      return entityOf(cls, ref);
    }
    case 'o':
      return reviveFields(node.v);
    case 'N':
      return Object.setPrototypeOf(reviveFields(node.v), null);
    default:
      return corrupt(`unknown tag ${JSON.stringify(tag)}`);
  }
}

/**
 * Decodes what {@link encodeValue} wrote. Throws a `CacheError` for a corrupt, truncated or foreign
 * payload (another format, another codec version, an entity this process does not know); the
 * decorators treat that as a miss and log it.
 */
export function decodeValue(payload: string): unknown {
  if (!payload.startsWith(HEADER)) {
    corrupt(
      /^k\d+:/.test(payload)
        ? `written by codec ${payload.slice(0, payload.indexOf(':'))}`
        : 'not a Kosha entry',
    );
  }
  let tree: Json;
  try {
    tree = JSON.parse(payload.slice(HEADER.length)) as Json;
  } catch {
    return corrupt('invalid JSON, perhaps truncated');
  }
  try {
    return revive(tree);
  } catch (error) {
    if (error instanceof CacheError) throw error;
    return corrupt((error as Error)?.message ?? String(error));
  }
}
