import { isStandardContext } from '../mapping/decorator-modes.js';
import { DbRepo } from './db-repo.js';

const repositories = new Set<Function>();

/**
 * Marks a class as a repository. It must extend `DbRepo<T>`; Kosha checks that when the class is defined.
 *
 * ```ts
 * @repository
 * class UserRepo extends DbRepo<User> { constructor() { super(User); } }
 * ```
 */
export function repository<C extends abstract new (...args: any[]) => DbRepo<any>>(
  cls: C,
  context?: unknown,
): C | undefined {
  if (isStandardContext(context) && context.kind !== 'class')
    throw new TypeError('@repository goes on a class.');
  if (typeof cls !== 'function' || !(cls.prototype instanceof DbRepo)) {
    throw new TypeError(`@repository: ${(cls as Function)?.name ?? String(cls)} must extend DbRepo<Entity>.`);
  }
  repositories.add(cls);
  return undefined;
}

/** True when the class was decorated with `@repository`. */
export function isRepository(cls: unknown): boolean {
  return typeof cls === 'function' && repositories.has(cls);
}
