// The relation decorators beyond the seed's two: `@manyToMany`, `@oneToOne` and `@embedded`. Which side
// owns a relation is settled when the entities are resolved (entity-registry.ts), where both sides are known.
import { MappingError } from '../errors.js';
import { appliedTo } from './decorator-modes.js';
import {
  checkRelationArguments,
  checkToManyOptions,
  describe,
  isBareRelation,
  record,
} from './decorators.js';
import type { EmbeddedOptions, EntityClass, ManyToManyOptions, OneToOneOptions } from './metadata.js';

type PropertyDecorator = (target: unknown, keyOrContext: unknown, descriptor?: unknown) => void;

function refuseBare(decorator: string, target: unknown, second: unknown, example: string): void {
  if (isBareRelation(target, second)) {
    throw new MappingError(
      `@${decorator} on ${appliedTo(target, second)}: @${decorator} must be called with its target: ` +
        `${example}, not a bare @${decorator}.`,
    );
  }
}

function checkInverse(decorator: string, options: { owner?: unknown; inverse?: unknown }): void {
  if (options.inverse !== undefined && (typeof options.inverse !== 'string' || !options.inverse)) {
    throw new MappingError(
      `@${decorator}: inverse names the owning property on the target, e.g. { inverse: 'tags' }, got ${describe(options.inverse)}.`,
    );
  }
  if (options.owner !== undefined && typeof options.owner !== 'boolean') {
    throw new MappingError(`@${decorator}: owner is true or false, got ${describe(options.owner)}.`);
  }
}

/**
 * Many-to-many relation, typed `Many<T>`. The owning side (the one without `inverse`) holds the pivot
 * table; the other side, if there is one, names the owning property in `inverse`.
 *
 * ```ts
 * @entity class Article {
 *   @id() id!: number;
 *   @manyToMany(() => Tag, { table: 'article_tags' }) tags: Many<Tag> = many(this);
 * }
 * @entity class Tag {
 *   @id() id!: number;
 *   @manyToMany(() => Article, { inverse: 'tags' }) articles: Many<Article> = many(this);
 * }
 * ```
 */
export function manyToMany(target: () => EntityClass, options: ManyToManyOptions = {}): PropertyDecorator {
  refuseBare('manyToMany', target, options, '@manyToMany(() => Target)');
  checkRelationArguments('manyToMany', target, options, "@manyToMany(() => Tag, { table: 'article_tags' })");
  checkToManyOptions('manyToMany', options);
  checkInverse('manyToMany', options);
  if (options.table !== undefined && (typeof options.table !== 'string' || !options.table)) {
    throw new MappingError(
      `@manyToMany: table is the pivot table's name, e.g. { table: 'article_tags' }, got ${describe(options.table)}.`,
    );
  }
  return (t: unknown, k: unknown, d?: unknown) =>
    record(t, k, { kind: 'manyToMany', target, options: { ...options } }, d);
}

/**
 * One-to-one relation. The owning side (the one without `inverse`) holds the foreign key, which is
 * unique; the other side, if there is one, names the owning property in `inverse`.
 *
 * ```ts
 * @entity class User {
 *   @id() id!: number;
 *   @oneToOne(() => Profile, { nullable: true, onDelete: 'set null' }) profile!: Profile | null;
 * }
 * @entity class Profile {
 *   @id() id!: number;
 *   @oneToOne(() => User, { inverse: 'profile' }) user?: User;
 * }
 * ```
 */
export function oneToOne(target: () => EntityClass, options: OneToOneOptions = {}): PropertyDecorator {
  refuseBare('oneToOne', target, options, '@oneToOne(() => Target)');
  checkRelationArguments('oneToOne', target, options, "@oneToOne(() => User, { inverse: 'profile' })");
  checkInverse('oneToOne', options);
  return (t: unknown, k: unknown, d?: unknown) =>
    record(t, k, { kind: 'oneToOne', target, options: { ...options } }, d);
}

/**
 * An `@embeddable` value stored in the entity's own row, one column per property of the embeddable
 * (`address_city`, `address_street`…; `prefix` changes `address_`).
 *
 * ```ts
 * @embeddable class Address { @column({ type: 'string' }) city!: string; }
 * @entity class Shop { @id() id!: number; @embedded(() => Address) address!: Address; }
 * ```
 */
export function embedded(target: () => EntityClass, options: EmbeddedOptions = {}): PropertyDecorator {
  refuseBare('embedded', target, options, '@embedded(() => Address)');
  checkRelationArguments('embedded', target, options, '@embedded(() => Address)');
  if (options.prefix !== undefined && options.prefix !== false && typeof options.prefix !== 'string') {
    throw new MappingError(
      `@embedded: prefix is the columns' prefix (a string, or false for none), got ${describe(options.prefix)}.`,
    );
  }
  return (t: unknown, k: unknown, d?: unknown) =>
    record(t, k, { kind: 'embedded', target, options: { ...options } }, d);
}
