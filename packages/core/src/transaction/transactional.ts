import { getKosha, Kosha } from '../kosha.js';
import {
  type AnyFunction,
  internalMark,
  isDecoratorApplication,
  methodDecorator,
} from '../mapping/decorator-modes.js';
import type { AsyncMethod, AsyncMethodDecorator, MethodDecoratorArgs } from '../mapping/method-decorator.js';
import type { TransactionHost } from './frames.js';
import { type EarlyRead, executeTransactional } from './transaction-manager.js';
import { defineTransaction, type TransactionOptions } from './transaction-options.js';

const BOUND = Symbol.for('kosha.boundInstance');

/**
 * Where a decorated method keeps the cache read it can answer from before a transaction is begun
 * (`@cacheable` sets it, an enclosing `@transactional` uses it). Core-internal.
 */
export const EARLY_READ = Symbol('kosha.earlyRead');
internalMark(EARLY_READ);

/** The early read of a `@cacheable` method: its value, a `CacheMiss`, or `undefined` (no read). */
export type MethodEarlyRead = (self: unknown, args: unknown[]) => Promise<unknown> | undefined;

/** Binds an object (a repository, a service) to one Kosha instance; its decorated methods use it. */
export function bindKosha<T extends object>(target: T, kosha: Kosha | (() => Kosha)): T {
  Object.defineProperty(target, BOUND, { value: kosha, configurable: true });
  return target;
}

/** True when `target` itself was bound to a Kosha instance ({@link bindKosha}, or `super(Entity, kosha)`). */
export function isKoshaBound(target: object): boolean {
  return Object.hasOwn(target, BOUND);
}

/** The instance decorated methods of `self` use: its bound one, else the context's, else the default. */
export function koshaFor(self: unknown): Kosha {
  const bound = (self as Record<symbol, Kosha | (() => Kosha) | undefined> | undefined)?.[BOUND];
  if (bound) return bound instanceof Kosha ? bound : bound();
  return getKosha();
}

/** The method's result as a promise, a synchronous throw as a rejection — without an async function's ticks. */
function promised(original: AnyFunction, self: unknown, args: unknown[]): Promise<unknown> {
  try {
    return Promise.resolve(original.apply(self, args));
  } catch (error) {
    return Promise.reject(error);
  }
}

function wrapper(options: TransactionOptions | undefined) {
  return methodDecorator('transactional', (original: AnyFunction, name: string) => {
    const def = defineTransaction(options, `@transactional on ${name}`);
    const read = (original as { [EARLY_READ]?: MethodEarlyRead })[EARLY_READ];
    // The label of the last class seen: one string per class, not one per call (it keys a Set).
    let labelled: unknown;
    let label = '';
    return function transactionalMethod(this: unknown, ...args: unknown[]) {
      const host: TransactionHost = koshaFor(this);
      const cls = (this as object | undefined)?.constructor;
      if (cls !== labelled || !label) {
        labelled = cls;
        label = `${cls?.name ?? 'function'}.${name}`;
      }
      const early: EarlyRead | undefined = read && (() => read(this, args));
      return executeTransactional(host, def, () => promised(original, this, args), label, false, early);
    };
  });
}

/**
 * Runs the method in a transaction, with Spring's propagation rules. Bare or with options. It goes on
 * a method that returns a promise (the method it puts in place is `async`), in either decorator mode.
 *
 * ```ts
 * class UserService {
 *   @transactional
 *   async register(u: User) { … }
 *
 *   @transactional({ propagation: 'REQUIRES_NEW', noRollbackFor: [ValidationError] })
 *   async audit(entry: AuditEntry) { … }
 * }
 * ```
 */
export function transactional(...args: MethodDecoratorArgs<AsyncMethod>): void;
export function transactional(options?: TransactionOptions): AsyncMethodDecorator;
export function transactional(...args: unknown[]): unknown {
  // Bare on a class in legacy mode, it gets the class alone: refused as the misplaced decorator it is.
  const onLegacyClass = args.length === 1 && typeof args[0] === 'function';
  if (isDecoratorApplication(args) || onLegacyClass) {
    return wrapper(undefined)(args[0], args[1], args[2] as PropertyDescriptor | undefined);
  }
  return wrapper(args[0] as TransactionOptions | undefined);
}
