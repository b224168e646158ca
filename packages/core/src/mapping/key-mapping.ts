// What createKosha checks of a primary key: which properties make it, and the shapes Kosha refuses.
import type { EntityMetadata, PropertyMetadata } from './metadata.js';

/**
 * True for a to-one relation that holds a foreign key, which may be given the related key or a reference
 * and may be part of a composite key: a `@manyToOne`, and the owning side of a `@oneToOne` (the one
 * without `inverse`, or with `owner: true`; read from its options too, for the checks that run before
 * resolve-relations.ts settles `owner`). The one place that says which kinds those are.
 */
export function holdsForeignKey(p: PropertyMetadata): boolean {
  if (p.kind === 'manyToOne') return true;
  if (p.kind !== 'oneToOne') return false;
  return p.owner ?? p.options.owner ?? p.options.inverse === undefined;
}

/** True for a property of the primary key: an `@id`, or a to-one relation marked `primary` (stacked `@id`). */
export function isKeyPart(p: PropertyMetadata): boolean {
  return p.kind === 'id' || (holdsForeignKey(p) && p.options.primary === true);
}

/** The problems of a composite key's parts (none for a single key). */
export function compositeKeyProblems(entity: string, ids: readonly PropertyMetadata[]): string[] {
  if (ids.length < 2) return [];
  const problems: string[] = [];
  const names = ids.map((p) => p.name).join(', ');
  for (const p of ids) {
    if (p.kind === 'id' && p.options.autoincrement === true) {
      problems.push(
        `${entity}.${p.name} is autoincrement, but it is part of the composite key (${names}): a composite ` +
          'key is given by the application. Drop `autoincrement`, or give the entity one generated @id and ' +
          `a unique constraint on (${names}).`,
      );
    }
    if (p.options.nullable === true) {
      problems.push(
        `${entity}.${p.name} is nullable, but it is part of the primary key (${names}): a key column cannot ` +
          'hold NULL. Drop `nullable`.',
      );
    }
  }
  return problems;
}

/**
 * A many-to-one relation to an entity with a composite key would need one foreign key column per key
 * part, which Kosha does not map: refused at createKosha, with the two ways out.
 */
export function compositeTargetProblem(entity: string, property: string, target: EntityMetadata): string {
  const names = target.primaryKeys.map((p) => p.name).join(', ');
  return (
    `${entity}.${property} refers to ${target.name}, whose primary key is composite (${names}): a relation ` +
    'to it would need several foreign key columns, which Kosha does not map. Give ' +
    `${target.name} a single @id (a generated id, with @unique on (${names})), or store the key parts ` +
    `as columns of ${entity}.`
  );
}
