import { getKosha, Kosha } from '../kosha.js';
import { type AnyFunction, isDecoratorApplication, methodDecorator } from '../mapping/decorator-modes.js';
import type { TransactionHost } from './frames.js';
import { executeTransactional } from './transaction-manager.js';
import { defineTransaction, type TransactionOptions } from './transaction-options.js';

const BOUND = Symbol.for('kosha.boundInstance');

/** Binds an object (a repository, a service) to one Kosha instance; its decorated methods use it. */
export function bindKosha<T extends object>(target: T, kosha: Kosha | (() => Kosha)): T {
  Object.defineProperty(target, BOUND, { value: kosha, configurable: true });
  return target;
}

/** The instance decorated methods of `self` use: its bound one, else the context's, else the default. */
export function koshaFor(self: unknown): Kosha {
  const bound = (self as Record<symbol, Kosha | (() => Kosha) | undefined> | undefined)?.[BOUND];
  if (bound) return bound instanceof Kosha ? bound : bound();
  return getKosha();
}

function wrapper(options: TransactionOptions | undefined) {
  return methodDecorator('transactional', (original: AnyFunction, name: string) => {
    const def = defineTransaction(options, `@transactional on ${name}`);
    return function transactionalMethod(this: unknown, ...args: unknown[]) {
      const host: TransactionHost = koshaFor(this);
      const label = `${(this as object | undefined)?.constructor?.name ?? 'function'}.${name}`;
      return executeTransactional(host, def, async () => original.apply(this, args), label);
    };
  });
}

/**
 * Runs the method in a transaction, with Spring's propagation rules. Bare or with options.
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
export function transactional(
  options?: TransactionOptions,
): (target: any, keyOrContext: any, descriptor?: any) => any;
export function transactional(target: any, keyOrContext: any, descriptor?: any): any;
export function transactional(...args: unknown[]): unknown {
  // Bare on a class in legacy mode, it gets the class alone: refused as the misplaced decorator it is.
  const onLegacyClass = args.length === 1 && typeof args[0] === 'function';
  if (isDecoratorApplication(args) || onLegacyClass) {
    return wrapper(undefined)(args[0], args[1], args[2] as PropertyDescriptor | undefined);
  }
  return wrapper(args[0] as TransactionOptions | undefined);
}
