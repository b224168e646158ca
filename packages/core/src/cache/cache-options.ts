import { ConfigError } from '../errors.js';
import { appliedTo } from '../mapping/decorator-modes.js';
import type { FromMethod } from '../mapping/method-decorator.js';
import type { KeyFunction } from './cache-keys.js';

/**
 * Options of `@cacheable`. `A` are the method's parameters, `R` its resolved result: on the decorator
 * they are the decorated method's, so `key: (id) => …` gets the method's parameter types.
 */
export interface CacheableOptions<A extends unknown[] = any[], R = any> {
  /** The cache's name: entries are `{keyPrefix}:{key}`. */
  keyPrefix: string;
  /** Seconds an entry lives (fractions allowed). Default: the cache's `defaultTtl` (3600). */
  ttl?: number | undefined;
  /** The key from the arguments. Default: the first argument (an entity stands for its id). */
  key?: KeyFunction<FromMethod<A>> | undefined;
  /** Cache only calls for which this returns true; other calls neither read nor write the cache. */
  condition?: ((...args: FromMethod<A>) => boolean) | undefined;
  /** Do not store a result for which this returns true (the lookup still happens). */
  unless?: ((result: FromMethod<R>, ...args: FromMethod<A>) => boolean) | undefined;
  /** Store `null`/`undefined` results too; a cached null is then a hit. Default false. */
  cacheNull?: boolean | undefined;
}

/** Options of `@cacheEvict`. `A` are the method's parameters: on the decorator, the decorated method's. */
export interface CacheEvictOptions<A extends unknown[] = any[]> {
  /** The cache's name. */
  keyPrefix: string;
  /** Evict the one entry with this key. Without it, every entry of `keyPrefix` is evicted (the seed's behaviour). */
  key?: KeyFunction<FromMethod<A>> | undefined;
  /** Evict before the method runs, whatever its outcome (and again after it). Default false: after success only. */
  beforeInvocation?: boolean | undefined;
  /** Evict every entry of `keyPrefix`. Default: true without `key`; `false` without `key` evicts the first argument's entry. */
  allEntries?: boolean | undefined;
}

/** Options of `@cachePut`. `A` are the method's parameters: on the decorator, the decorated method's. */
export interface CachePutOptions<A extends unknown[] = any[]> {
  /** The cache's name. */
  keyPrefix: string;
  /** The key, computed from the arguments after the call (so a new entity has its id). Default: the first argument. */
  key?: KeyFunction<FromMethod<A>> | undefined;
  /** Seconds the entry lives. Default: the cache's `defaultTtl`. */
  ttl?: number | undefined;
}

/**
 * Refuses a cache decorator used bare (`@cacheable` instead of `@cacheable({ … })`, which compiles
 * only in JavaScript or through a cast): its factory then gets the method and a TC39 context, or the
 * prototype (the class, for a static method), the method's name and its descriptor, in place of the
 * options. Thrown when the class is defined, before the method could ever run uncached or break.
 */
export function refuseBareUse(decorator: string, args: readonly unknown[]): void {
  const [first, second] = args;
  const isPrototype =
    typeof first === 'object' &&
    first !== null &&
    Object.hasOwn(first, 'constructor') &&
    (first as { constructor: unknown }).constructor instanceof Function &&
    (first as { constructor: { prototype: unknown } }).constructor.prototype === first;
  if (args.length < 2 && typeof first !== 'function' && !isPrototype) return;
  const where = args.length >= 2 ? `@${decorator} on ${appliedTo(first, second)}: ` : '';
  throw new ConfigError(
    `${where}@${decorator} must be called with its options: @${decorator}({ keyPrefix: 'user' }), ` +
      `not a bare @${decorator}.`,
  );
}

type Check = (value: unknown) => string | undefined;

const fn: Check = (v) => (typeof v === 'function' ? undefined : 'must be a function');
const bool: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be true or false');
const seconds: Check = (v) =>
  typeof v === 'number' && v > 0 && Number.isFinite(v) ? undefined : 'must be a number of seconds > 0';
const prefix: Check = (v) => {
  if (typeof v !== 'string' || v === '') return 'must be a non-empty string, e.g. "user"';
  if (v.endsWith(':')) return `must not end with ":" (write "${v.slice(0, -1)}"; Kosha adds the separator)`;
  return undefined;
};

const CHECKS: Record<string, Check> = {
  keyPrefix: prefix,
  ttl: seconds,
  key: fn,
  condition: fn,
  unless: fn,
  cacheNull: bool,
  beforeInvocation: bool,
  allEntries: bool,
};

/**
 * Validates a cache decorator's options when the class is defined, with a `ConfigError` that names
 * the decorator, the method and the bad option.
 */
export function validateCacheOptions<O extends { keyPrefix: string }>(
  decorator: string,
  method: string,
  options: O,
  known: readonly (keyof O & string)[],
): O {
  const where = `@${decorator} on ${method}`;
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError(`${where}: pass an options object, e.g. @${decorator}({ keyPrefix: 'user' }).`);
  }
  for (const k of Object.keys(options)) {
    if (!known.includes(k as keyof O & string)) {
      throw new ConfigError(`${where}: unknown option "${k}". Known options: ${known.join(', ')}.`);
    }
  }
  if (!('keyPrefix' in options))
    throw new ConfigError(`${where}: keyPrefix is required, e.g. { keyPrefix: 'user' }.`);
  for (const k of known) {
    const v = (options as Record<string, unknown>)[k];
    if (v === undefined && k !== 'keyPrefix') continue;
    const problem = CHECKS[k]!(v);
    if (problem) throw new ConfigError(`${where}: ${k} ${problem}, got ${describe(v)}.`);
  }
  return options;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'function') return 'a function';
  return String(v);
}
