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
 * Wraps a method in both modes. `wrap` gets the original function and its name, returns the replacement.
 * Returns a decorator usable in either mode.
 */
export function methodDecorator(wrap: (original: AnyFunction, name: string) => AnyFunction) {
  return function decorate(target: unknown, keyOrContext: unknown, descriptor?: PropertyDescriptor): any {
    if (isStandardContext(keyOrContext)) {
      if (keyOrContext.kind !== 'method') {
        throw new TypeError(`This decorator goes on methods, not on a ${keyOrContext.kind}.`);
      }
      return wrap(target as AnyFunction, String(keyOrContext.name));
    }
    if (!descriptor || typeof descriptor.value !== 'function') {
      throw new TypeError(`This decorator goes on methods; ${String(keyOrContext)} is not a method.`);
    }
    return { ...descriptor, value: wrap(descriptor.value as AnyFunction, String(keyOrContext)) };
  };
}
