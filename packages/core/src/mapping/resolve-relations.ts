// The checks of a mapping that need more than one property: which side of a two-sided relation owns it,
// whether both sides agree, what an `@embedded` embeds, what a class-level `@unique` / `@index` names.
// They only collect problems; entity-registry.ts throws them together as one MappingError.
import { isEmbeddable, snakeCase } from './entity-registry.js';
import { compositeTargetProblem, holdsForeignKey } from './key-mapping.js';
import {
  type ConstraintMetadata,
  type EmbeddableMetadata,
  type EntityClass,
  type EntityMetadata,
  isToMany,
  type PropertyMetadata,
} from './metadata.js';

const KIND_NAMES: Partial<Record<PropertyMetadata['kind'], string>> = {
  manyToMany: 'pivot table',
  oneToOne: 'foreign key',
};

/**
 * Settles what one relation property can say about itself: the foreign key column of a `@manyToOne` and
 * an owning `@oneToOne`, which side of a `@manyToMany` / `@oneToOne` it is (the side without `inverse`
 * owns, unless `owner: true` says so with `inverse` naming the other side), an `@embedded`'s prefix.
 */
export function settleOwnership(entity: string, p: PropertyMetadata, problems: string[]): void {
  const o = p.options;
  const at = `${entity}.${p.name}`;
  if (p.kind === 'manyToOne') p.columnName = o.name ?? `${snakeCase(p.name)}_id`;
  if (p.kind === 'embedded') p.columnName = o.prefix === false ? '' : (o.prefix ?? `${snakeCase(p.name)}_`);
  if (p.kind !== 'manyToMany' && p.kind !== 'oneToOne') return;
  if (o.owner === false && o.inverse === undefined) {
    problems.push(
      `${at} is the inverse side (owner: false) but names no owning property: give it { inverse: '<the owning property on the target>' }.`,
    );
  }
  p.owner = o.owner ?? o.inverse === undefined;
  if (p.owner) p.inversedBy = o.inverse;
  else p.mappedBy = o.inverse;
  const holds = KIND_NAMES[p.kind]!;
  if (p.owner && p.kind === 'oneToOne') p.columnName = o.name ?? `${snakeCase(p.name)}_id`;
  const ownerOnly = p.kind === 'manyToMany' ? (['table'] as const) : (['name', 'onDelete'] as const);
  for (const key of ownerOnly) {
    if (!p.owner && o[key] !== undefined) {
      problems.push(
        `${at}: ${key} belongs on the owning side, which holds the ${holds}: move it to ${o.inverse}'s @${p.kind}.`,
      );
    }
  }
}

function targetClass(meta: EntityMetadata, p: PropertyMetadata, problems: string[]): EntityClass | undefined {
  try {
    return p.target!();
  } catch (cause) {
    problems.push(`${meta.name}.${p.name}: the relation target could not be read (${String(cause)}).`);
    return undefined;
  }
}

function say(problems: string[], message: string): void {
  if (!problems.includes(message)) problems.push(message);
}

/** The other side of a two-sided `@manyToMany` / `@oneToOne`, checked to agree with `p`. */
function checkOtherSide(
  meta: EntityMetadata,
  p: PropertyMetadata,
  target: EntityMetadata,
  problems: string[],
) {
  const named = p.owner ? p.inversedBy : p.mappedBy;
  if (named === undefined) return;
  const at = `${meta.name}.${p.name}`;
  const q = target.properties.find((x) => x.name === named);
  const fix = p.owner
    ? `name ${target.name}'s inverse @${p.kind} property, or leave \`inverse\` out for a one-sided relation`
    : `name the owning @${p.kind} property of ${target.name}`;
  if (!q) {
    const has = target.properties.filter((x) => x.kind === p.kind).map((x) => x.name);
    say(
      problems,
      `${at}: inverse '${named}' names no property of ${target.name}: ${fix}` +
        (has.length ? ` (its @${p.kind} properties: ${has.join(', ')}).` : '.'),
    );
    return;
  }
  if (q.kind !== p.kind) {
    say(
      problems,
      `${at}: inverse '${named}' names ${target.name}.${named}, a @${q.kind}, not a @${p.kind}: ${fix}.`,
    );
    return;
  }
  let back: EntityClass | undefined;
  try {
    back = q.target!();
  } catch {
    return;
  }
  if (back !== meta.class) {
    say(
      problems,
      `${at}: inverse '${named}' names ${target.name}.${named}, which points at ${back?.name}, not ${meta.name}: ${fix}.`,
    );
    return;
  }
  const holds = KIND_NAMES[p.kind]!;
  const [first, second] = [at, `${target.name}.${named}`].sort();
  if (!p.owner && !q.owner) {
    say(
      problems,
      `${first} and ${second} are both inverse sides of one @${p.kind}: remove \`inverse\` from the side that ` +
        `should hold the ${holds} (it owns the relation).`,
    );
  } else if (p.owner && q.owner) {
    say(
      problems,
      `${first} and ${second} both own one @${p.kind}: only one side holds the ${holds}. Give the other ` +
        "side `inverse: '<the owning property>'` and no `owner: true`.",
    );
  } else if (p.owner) {
    if (q.mappedBy !== p.name) {
      say(
        problems,
        `${at} says its inverse is ${target.name}.${named}, whose inverse names '${q.mappedBy}': make them agree.`,
      );
    }
  } else if (q.inversedBy === undefined) {
    // A one-sided owner learns its inverse side from the inverse's `inverse`.
    q.inversedBy = p.name;
  } else if (q.inversedBy !== p.name) {
    say(
      problems,
      `${at} names ${target.name}.${named} as its owner, whose inverse is '${q.inversedBy}': make them agree.`,
    );
  }
}

/**
 * Checks every relation of resolved entities against its target: a relation's target is one of the
 * entities, an `@embedded`'s an `@embeddable`, and the two sides of a `@manyToMany` / `@oneToOne` name
 * each other, one owning and one inverse.
 */
export function checkRelations(
  out: readonly EntityMetadata[],
  problems: string[],
  embeddable: (cls: EntityClass) => EmbeddableMetadata | undefined,
): void {
  for (const meta of out) {
    for (const p of meta.properties) {
      if (!p.target) continue;
      const target = targetClass(meta, p, problems);
      if (!target) continue;
      const targetMeta = out.find((m) => m.class === target);
      if (p.kind === 'embedded') {
        // An @embeddable with problems of its own has them said once, by `embeddable`.
        if (isEmbeddable(target)) embeddable(target);
        else {
          const entityNote = targetMeta
            ? ' (it is an @entity: for a relation use @manyToOne or @oneToOne)'
            : '';
          say(
            problems,
            `${meta.name}.${p.name} is @embedded(() => ${(target as { name?: string }).name ?? String(target)}), which is not an @embeddable${entityNote}: decorate it with @embeddable.`,
          );
        }
        continue;
      }
      if (!targetMeta) {
        problems.push(
          `${meta.name}.${p.name} refers to ${target?.name ?? String(target)}, which is not among the entities: ` +
            `decorate it with @entity and include it in \`entities\` (the target of a @${p.kind}).`,
        );
        continue;
      }
      if (holdsForeignKey(p) && targetMeta.compositeKey) {
        problems.push(compositeTargetProblem(meta.name, p.name, targetMeta));
      }
      if (p.kind === 'manyToMany' || p.kind === 'oneToOne') checkOtherSide(meta, p, targetMeta, problems);
    }
  }
}

/** Checks that each class-level `@unique` / `@index` names columns or relations holding a foreign key. */
export function checkConstraints(
  entity: string,
  props: readonly PropertyMetadata[],
  constraints: readonly ConstraintMetadata[],
  problems: string[],
): void {
  for (const c of constraints) {
    const written = `@${c.kind}([${c.properties.map((n) => `'${n}'`).join(', ')}])`;
    for (const name of c.properties) {
      const p = props.find((x) => x.name === name);
      if (!p) {
        problems.push(
          `${entity}: ${written} names ${name}, which is not a property of ${entity} ` +
            `(it has: ${props.map((x) => x.name).join(', ')}): fix the name.`,
        );
      } else if (p.target && !holdsForeignKey(p)) {
        const what = isToMany(p)
          ? 'a to-many relation'
          : p.kind === 'embedded'
            ? 'an @embedded value'
            : 'the inverse side of a @oneToOne';
        problems.push(
          `${entity}: ${written} names ${name}, ${what}, which has no column here: name columns or relations holding a foreign key.`,
        );
      }
    }
  }
}
