import { ConfigError } from '../errors.js';
import { appliedKind, appliedTo, isStandardContext } from '../mapping/decorator-modes.js';
import { DbRepo } from './db-repo.js';

const repositories = new Set<Function>();

/**
 * Marks a class as a repository. It must extend `DbRepo<T>`; Kosha checks that when the class is
 * defined, and refuses `@repository` anywhere but on such a class with a `ConfigError`.
 *
 * ```ts
 * @repository
 * class UserRepo extends DbRepo<User> { constructor() { super(User); } }
 * ```
 */
export function repository<C extends abstract new (...args: any[]) => DbRepo<any>>(
  cls: C,
  context?: unknown,
): C | undefined;
export function repository<C extends abstract new (...args: any[]) => DbRepo<any>>(
  cls: C,
  context?: unknown,
  descriptor?: unknown,
): C | undefined {
  if (cls === undefined && context === undefined) {
    throw new ConfigError('@repository is used bare: write @repository above the class, not @repository().');
  }
  // A legacy decorator on a member gets (prototype, key, descriptor); a TC39 one says its kind.
  if (isStandardContext(context) ? context.kind !== 'class' : context !== undefined) {
    throw new ConfigError(
      `@repository on ${appliedTo(cls, context)}: @repository goes on a class, not on ` +
        `${appliedKind(context, descriptor)}. Put it above a \`class … extends DbRepo<Entity>\`.`,
    );
  }
  if (typeof cls !== 'function') {
    throw new ConfigError(
      `@repository goes on a class that extends DbRepo<Entity>, got ${cls === null ? 'null' : typeof cls}.`,
    );
  }
  if (!(cls.prototype instanceof DbRepo)) {
    const name = cls.name || 'the class';
    throw new ConfigError(
      `@repository on ${name}: the class must extend DbRepo<Entity>: ` +
        `class ${cls.name || 'MyRepo'} extends DbRepo<MyEntity> { … }. ` +
        'Without it the class has none of the repository methods; a class that only uses repositories needs no @repository.',
    );
  }
  repositories.add(cls);
  return undefined;
}

/** True when the class was decorated with `@repository`. */
export function isRepository(cls: unknown): boolean {
  return typeof cls === 'function' && repositories.has(cls);
}
