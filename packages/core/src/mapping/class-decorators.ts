// Class decorators beyond `@entity` and `@table`: `@embeddable`, `@unique([…])`, `@index([…])`. Each
// records a mark on the class, so their order relative to `@entity` and `@table` does not matter.
import { MappingError } from '../errors.js';
import { appliedTo, isDecoratorApplication } from './decorator-modes.js';
import { checkClassTarget, describe } from './decorators.js';
import { addConstraint, markEmbeddable } from './entity-registry.js';
import type { ConstraintOptions, EntityClass } from './metadata.js';

/** A class decorator, in either decorator mode. */
export type ClassDecorator = <C extends EntityClass>(cls: C, context?: unknown) => C | undefined;

/**
 * Marks a class as embeddable: a value type whose `@column`s are stored in the row of each entity that
 * embeds it with `@embedded`. It has no table and no `@id`.
 *
 * ```ts
 * @embeddable
 * class Address {
 *   @column({ type: 'string' }) street!: string;
 *   @column({ type: 'string' }) city!: string;
 * }
 * ```
 */
export function embeddable<C extends EntityClass>(cls: C, context?: unknown): C | undefined;
export function embeddable<C extends EntityClass>(
  cls: C,
  context?: unknown,
  descriptor?: unknown,
): C | undefined {
  if (cls === undefined && context === undefined) {
    throw new MappingError('@embeddable is used bare: write @embeddable above the class, not @embeddable().');
  }
  checkClassTarget('embeddable', MappingError, cls, context, descriptor);
  markEmbeddable(cls);
  return undefined;
}

function constraint(kind: 'unique' | 'index') {
  return (...args: unknown[]): ClassDecorator => {
    const [properties, options = {}] = args as [unknown, ConstraintOptions | undefined];
    const example = `@${kind}(['author', 'slug'])`;
    if (typeof properties === 'function' || isDecoratorApplication(args)) {
      throw new MappingError(
        `@${kind} on ${appliedTo(properties, args[1])}: @${kind} must be called with the property names, e.g. ${example}.`,
      );
    }
    if (
      !Array.isArray(properties) ||
      properties.length === 0 ||
      properties.some((p) => typeof p !== 'string' || !p)
    ) {
      throw new MappingError(
        `@${kind} takes a non-empty list of property names, e.g. ${example}, got ${describe(properties)}.`,
      );
    }
    if (typeof options !== 'object' || options === null || (options.name !== undefined && !options.name)) {
      throw new MappingError(`@${kind}: the options are { name?: string }, got ${describe(options)}.`);
    }
    return <C extends EntityClass>(cls: C, context?: unknown, descriptor?: unknown): C | undefined => {
      checkClassTarget(kind, MappingError, cls, context, descriptor);
      addConstraint(cls, { kind, properties: [...(properties as string[])], name: options.name });
      return undefined;
    };
  };
}

/**
 * A unique constraint over several properties of the entity (a relation stands for its foreign key).
 * A row that repeats the combination is refused with the unique-violation `DatabaseError`.
 *
 * ```ts
 * @entity @unique(['follower', 'followee'], { name: 'follow_once' })
 * class Follow { … }
 * ```
 */
export const unique: (properties: readonly string[], options?: ConstraintOptions) => ClassDecorator =
  constraint('unique');

/**
 * An index over several properties of the entity, in order (a relation stands for its foreign key).
 *
 * ```ts
 * @entity @index(['author', 'createdAt'])
 * class Article { … }
 * ```
 */
export const index: (properties: readonly string[], options?: ConstraintOptions) => ClassDecorator =
  constraint('index');
