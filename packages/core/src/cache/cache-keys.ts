import { InvalidArgumentError } from '../errors.js';
import { isEntity, metadataOf } from '../mapping/entity-registry.js';
import { idOf } from '../mapping/primary-key.js';

/** A `key` option: computes the entry's key from the method's arguments. */
export type KeyFunction<A extends unknown[] = any[]> = (...args: A) => string | number | bigint;

/**
 * Escapes one key segment so that it holds no `:`. A key is `{keyPrefix}:{segment}` and prefix
 * eviction clears `{keyPrefix}:`, so whatever an argument contains it cannot land under another
 * prefix (`user` never reaches `users:…` nor `user:admin:…`). `%` is escaped too, to keep it reversible.
 */
export function keySegment(text: string): string {
  return /[%:]/.test(text) ? text.replace(/%/g, '%25').replace(/:/g, '%3A') : text;
}

/** The prefix under which every entry of `keyPrefix` lives: `{keyPrefix}:`. */
export function prefixOf(keyPrefix: string): string {
  return `${keyPrefix}:`;
}

function canonical(value: unknown, seen: Set<object>): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return scalar(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (seen.has(value))
    throw new InvalidArgumentError('A cache key argument refers to itself: give the decorator a `key`.');
  seen.add(value);
  try {
    if (isEntity(value.constructor)) return canonical(entityId(value), seen);
    if (Array.isArray(value)) return `[${value.map((v) => canonical(v, seen)).join(',')}]`;
    if (value instanceof Map) return `Map${canonical([...value.entries()], seen)}`;
    if (value instanceof Set) return `Set${canonical([...value.values()], seen)}`;
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k], seen)}`).join(',')}}`;
  } finally {
    seen.delete(value);
  }
}

function scalar(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'bigint':
      return `${value}n`;
    case 'number':
    case 'boolean':
      return String(value);
    default:
      if (value === null) return 'null';
      throw new InvalidArgumentError(
        `A ${typeof value} cannot be part of a cache key: give the decorator a \`key\` that returns a string or number.`,
      );
  }
}

/** An entity's id: its key, or for a composite key the object of its parts (canonical JSON, keys sorted). */
function entityId(entity: object): unknown {
  return idOf(metadataOf(entity.constructor as new () => object), entity);
}

/**
 * The text of one argument in a key, as the seed wrote it (`String(arg)`) for strings, numbers,
 * bigints and booleans; an entity stands for its primary key (`user:42` whether you pass `42` or the
 * `User`); a `Date` is its ISO time; other objects are canonical JSON (keys sorted), so two equal
 * filters give one key, and so does a composite id (`{"followee":2,"follower":1}`) whichever order its
 * parts were written in, and whether a relation part is given as the entity or its key.
 */
export function keyText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'object':
      if (value === null) return 'null';
      if (value instanceof Date) return value.toISOString();
      if (isEntity(value.constructor)) return keyText(entityId(value));
      return canonical(value, new Set());
    default:
      return scalar(value);
  }
}

/** The full key of one call: `{keyPrefix}:{segment}`, the segment from `key(...args)` or else the first argument. */
export function cacheKey(keyPrefix: string, key: KeyFunction | undefined, args: readonly unknown[]): string {
  if (!key) return prefixOf(keyPrefix) + keySegment(keyText(args[0]));
  const k: unknown = key(...args);
  if (typeof k !== 'string' && typeof k !== 'number' && typeof k !== 'bigint') {
    throw new InvalidArgumentError(
      `The \`key\` function of cache "${keyPrefix}" returned ${k === null ? 'null' : typeof k}: it must return a string or a number.`,
    );
  }
  return prefixOf(keyPrefix) + keySegment(String(k));
}

/** The name of the cache a key belongs to (`user` of `user:42`), for log messages. */
export function cacheNameOf(key: string): string {
  return key.slice(0, key.lastIndexOf(':'));
}
