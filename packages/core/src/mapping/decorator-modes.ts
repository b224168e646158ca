import { ConfigError } from '../errors.js';

// Support for both TypeScript decorator modes. Legacy (`experimentalDecorators`) decorators are
// called as (target, key, descriptor?); TC39 standard decorators as (value, context). The second
// argument tells them apart: a TC39 context is an object with a `kind`.

// TC39 decorators put per-class metadata on `Symbol.metadata`; Node 24 does not define it yet.
(Symbol as { metadata?: symbol }).metadata ??= Symbol.for('Symbol.metadata');

/** The TC39 decorator context, the subset Kosha reads. */
export interface StandardContext {
  kind: 'class' | 'method' | 'getter' | 'setter' | 'field' | 'accessor';
  name: string | symbol | undefined;
  metadata?: Record<PropertyKey, unknown>;
  static?: boolean;
  addInitializer?(fn: () => void): void;
}

/** True when a decorator was called in TC39 standard mode. */
export function isStandardContext(value: unknown): value is StandardContext {
  return (
    typeof value === 'object' &&
    value !== null &&
    'kind' in value &&
    typeof (value as StandardContext).kind === 'string'
  );
}

/** The `Symbol.metadata` key, polyfilled. */
export const METADATA: symbol = (Symbol as unknown as { metadata: symbol }).metadata;

/** Reads the TC39 metadata object of a class, if the class was compiled with standard decorators. */
export function standardMetadataOf(cls: object): Record<PropertyKey, unknown> | undefined {
  return (cls as Record<symbol, Record<PropertyKey, unknown> | undefined>)[METADATA] ?? undefined;
}

export type AnyFunction = (...args: any[]) => any;

/**
 * Where a decorator was applied, for error messages: `Class.member` in legacy mode, where the
 * target is the prototype (or, for a static member, the class); `member` in TC39 mode, whose member
 * contexts do not name the class; the class's own name for a class decorator in either mode.
 */
export function appliedTo(target: unknown, keyOrContext: unknown): string {
  if (isStandardContext(keyOrContext)) return String(keyOrContext.name ?? 'an anonymous class');
  const cls =
    typeof target === 'function' ? target : (target as { constructor?: unknown } | undefined)?.constructor;
  const className = typeof cls === 'function' && cls.name ? cls.name : undefined;
  if (keyOrContext === undefined) return className ?? 'an anonymous class';
  return className ? `${className}.${String(keyOrContext)}` : String(keyOrContext);
}

/**
 * What a decorator was applied to, as "a method", "a getter", "a field", "a class"… In legacy mode
 * it is read from the arguments: a class decorator gets no key, a field decorator no descriptor, and
 * an `accessor` field is lowered to a getter/setter pair.
 */
export function appliedKind(keyOrContext: unknown, descriptor?: unknown): string {
  if (isStandardContext(keyOrContext)) {
    return keyOrContext.kind === 'accessor' ? 'an accessor' : `a ${keyOrContext.kind}`;
  }
  if (typeof keyOrContext !== 'string' && typeof keyOrContext !== 'symbol') return 'a class';
  if (descriptor === undefined) return 'a field';
  const d = descriptor as PropertyDescriptor;
  if (typeof d.value === 'function') return 'a method';
  if (d.get && d.set) return 'a getter/setter pair';
  if (d.get) return 'a getter';
  if (d.set) return 'a setter';
  return 'a property';
}

/** True when a legacy decorator was applied to a static member (its target is the class itself). */
export function isStaticMember(target: unknown, keyOrContext: unknown): boolean {
  if (isStandardContext(keyOrContext)) return keyOrContext.static === true;
  return (
    typeof target === 'function' && (typeof keyOrContext === 'string' || typeof keyOrContext === 'symbol')
  );
}

/** True when the arguments are a decorator application: (prototype, key) in legacy mode, (value, context) in TC39 mode. */
export function isDecoratorApplication(args: readonly unknown[]): boolean {
  return (
    args.length >= 2 &&
    (isStandardContext(args[1]) || typeof args[1] === 'string' || typeof args[1] === 'symbol')
  );
}

/** Kosha's own marks on a decorated method (a `@cacheable`'s early read): they describe that one function. */
const internalMarks = new Set<PropertyKey>();

/**
 * Registers a symbol Kosha puts on the method a decorator returns. Unlike the method's other own
 * properties, the next Kosha decorator up does not copy it onto its own wrapper: a `@cacheEvict` above a
 * `@cacheable` must not pass the cache read on to a `@transactional` above both.
 */
export function internalMark(mark: symbol): void {
  internalMarks.add(mark);
}

/** reflect-metadata's functions, when something in the process loaded it (NestJS does); core does not. */
interface ReflectMetadata {
  getOwnMetadataKeys(target: object): unknown[];
  getOwnMetadata(key: unknown, target: object): unknown;
  defineMetadata(key: unknown, value: unknown, target: object): void;
}

/**
 * Gives the wrapper what other decorators put on the original method: its own properties (`name` and
 * `length` too) and, when reflect-metadata is loaded, the Reflect metadata defined on the function itself
 * (NestJS's `@SetMetadata`, `@UseGuards`, `@UseInterceptors` keep theirs there). So a decorator above
 * Kosha's reads what one below it wrote. `design:*` metadata sits on the prototype and member name, which
 * the wrapper does not change.
 */
function keepOwnProperties(original: AnyFunction, wrapper: AnyFunction): AnyFunction {
  if (wrapper === original) return wrapper;
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'prototype' || internalMarks.has(key)) continue;
    const own = Object.getOwnPropertyDescriptor(wrapper, key);
    if (own && !own.configurable) continue;
    Object.defineProperty(wrapper, key, Object.getOwnPropertyDescriptor(original, key)!);
  }
  const reflect = Reflect as unknown as Partial<ReflectMetadata>;
  if (typeof reflect.getOwnMetadataKeys === 'function' && typeof reflect.defineMetadata === 'function') {
    for (const key of reflect.getOwnMetadataKeys(original)) {
      reflect.defineMetadata(key, reflect.getOwnMetadata!(key, original), wrapper);
    }
  }
  return wrapper;
}

/**
 * Wraps a method in both modes. `wrap` gets the original function and its name, returns the replacement.
 * The replacement keeps the original's own properties and Reflect metadata (see `keepOwnProperties`).
 * Returns a decorator usable in either mode. Applied to anything but a method, it throws a
 * `ConfigError` naming `@{decorator}`, the member and what to do instead.
 */
export function methodDecorator(
  decorator: string,
  wrap: (original: AnyFunction, name: string) => AnyFunction,
) {
  return function decorate(target: unknown, keyOrContext: unknown, descriptor?: PropertyDescriptor): any {
    if (isStandardContext(keyOrContext)) {
      if (keyOrContext.kind !== 'method') throw notOnMethod(decorator, target, keyOrContext, descriptor);
      return keepOwnProperties(target as AnyFunction, wrap(target as AnyFunction, String(keyOrContext.name)));
    }
    if (
      (typeof keyOrContext !== 'string' && typeof keyOrContext !== 'symbol') ||
      !descriptor ||
      typeof descriptor.value !== 'function'
    ) {
      throw notOnMethod(decorator, target, keyOrContext, descriptor);
    }
    const original = descriptor.value as AnyFunction;
    return { ...descriptor, value: keepOwnProperties(original, wrap(original, String(keyOrContext))) };
  };
}

function notOnMethod(
  decorator: string,
  target: unknown,
  keyOrContext: unknown,
  descriptor: unknown,
): ConfigError {
  const kind = appliedKind(keyOrContext, descriptor);
  const member = isStandardContext(keyOrContext) ? String(keyOrContext.name) : String(keyOrContext);
  const fix =
    kind === 'a class'
      ? 'Decorate the methods that need it instead.'
      : kind === 'a field'
        ? `Declare ${member} as a method, \`async ${member}() { … }\`, not as a field holding a function, and decorate that.`
        : `Move the work into a method, \`async ${member}() { … }\`, and decorate that.`;
  return new ConfigError(
    `@${decorator} on ${appliedTo(target, keyOrContext)}: @${decorator} goes on a method, not on ${kind}. ${fix}`,
  );
}
