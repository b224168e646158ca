// Types of Kosha's method decorators (@transactional, @cacheable, @cacheEvict, @cachePut), for both
// TypeScript decorator modes. The runtime that tells the modes apart is decorator-modes.ts.
//
// TypeScript checks a decorator as a call: `(method, context: ClassMethodDecoratorContext)` with TC39
// decorators, `(prototype, name, descriptor: TypedPropertyDescriptor<Method>)` with
// `experimentalDecorators`. One signature whose rest parameter is the union of both argument lists
// serves either mode, and also gives a decorator factory (`cacheable({ key })`) its contextual type:
// TypeScript infers the factory's type parameters from the method it decorates, so `key: (id) => …`
// gets the method's parameter types. (Overloads would not: return-type inference reads only the last.)

/** A method whose result is a promise: Kosha's method decorators replace a method with an `async` one. */
export type AsyncMethod<A extends unknown[] = any[], R = any> = (...args: A) => Promise<R>;

/**
 * The arguments TypeScript passes a decorator of method `M`: `(method, context)` with TC39 standard
 * decorators, `(prototype, name, descriptor)` with `experimentalDecorators`. The descriptor is read for
 * its `value` only: `TypedPropertyDescriptor<M>` (its `set` takes an `M`) would refuse a method whose
 * type is narrower than `M`, one returning `Promise<never>` say.
 */
export type MethodDecoratorArgs<M> =
  | [method: M, context: ClassMethodDecoratorContext]
  | [target: object, key: string | symbol, descriptor: { readonly value?: M | undefined }];

/**
 * A decorator that goes on methods returning a promise, in either decorator mode: on a method that
 * returns anything else, on a field or on a class it does not compile. `A` are the method's
 * parameters and `R` its resolved result, inferred from the decorated method.
 */
export type AsyncMethodDecorator<A extends unknown[] = any[], R = any> = (
  ...args: MethodDecoratorArgs<AsyncMethod<A, R>>
) => void;

/**
 * `T`, in a position TypeScript does not infer it from: a decorator factory's options take the method's
 * types (from the decorator's contextual type) instead of fixing them from what the options declare,
 * so a `key` taking fewer parameters than the method, or annotated ones, still fits. (The built-in
 * `NoInfer` keeps a rest parameter from accepting a function with fewer parameters.)
 */
export type FromMethod<T> = [T][T extends unknown ? 0 : never];
