import { InvalidArgumentError, UnknownFieldError } from '../errors.js';
import { embeddableMetadataOf, metadataOf } from '../mapping/entity-registry.js';
import {
  type ColumnType,
  type EmbeddableMetadata,
  type EntityClass,
  type EntityMetadata,
  isToMany,
  isToOne,
  type PropertyMetadata,
} from '../mapping/metadata.js';
import { columnValue, describeValue, isTextType } from './column-values.js';
import { eq, escapeLike, Operator, WhereGroup } from './operators.js';
import type { CompareNode, CompareOp, WhereNode } from './where-tree.js';

/** How deep relations and groups may nest in one `where`: deeper is refused (a request cannot blow the stack). */
export const MAX_WHERE_DEPTH = 32;

/** True for an object literal (or `Object.create(null)`): what a `where` is made of. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** What a query's step may be in: an entity, or the `@embeddable` of an `@embedded` property. */
export type QueriedMetadata = EntityMetadata | EmbeddableMetadata;

/** The property `name` of `meta` a query may name (scalars, relations, embedded values), or UnknownFieldError. */
export function queryProperty(meta: QueriedMetadata, name: string): PropertyMetadata {
  const p = meta.properties.find((q) => q.name === name);
  if (!p)
    throw new UnknownFieldError(
      meta.name,
      name,
      meta.properties.map((q) => q.name),
    );
  return p;
}

/** The metadata of a relation property's target entity. */
export function targetOf(p: PropertyMetadata): EntityMetadata {
  return metadataOf(p.target!() as EntityClass<object>);
}

/** The metadata of an `@embedded` property's `@embeddable`. */
export function embeddedOf(p: PropertyMetadata): EmbeddableMetadata {
  return embeddableMetadataOf(p.target!());
}

/** The column type a path ending at `p` compares: its own, or for a to-one relation its target key's. */
export function comparedType(p: PropertyMetadata): ColumnType {
  if (isToOne(p)) return comparedType(targetOf(p).primaryKey);
  return p.type ?? 'string';
}

class Normalizer {
  /** `label`: how messages name the queried entity (`User`, or `User.posts` inside a to-many condition). */
  constructor(private readonly label: string) {}

  where(meta: QueriedMetadata, where: unknown, path: readonly string[], depth: number): WhereNode {
    if (depth > MAX_WHERE_DEPTH) {
      throw new InvalidArgumentError(
        `${this.label}: the where condition nests deeper than ${MAX_WHERE_DEPTH} levels. Flatten it.`,
      );
    }
    if (WhereGroup.is(where)) {
      const items = where.items.map((w) => this.where(meta, w, path, depth + 1));
      if (where.kind === 'not') return { kind: 'not', item: items[0]! };
      return items.length === 1 ? items[0]! : { kind: where.kind, items };
    }
    if (!isPlainObject(where)) {
      const fix = Array.isArray(where) ? ' Combine conditions with and(…) or or(…).' : '';
      throw new InvalidArgumentError(
        `${this.at(path)}: a where condition is an object of fields (or and(…), or(…), not(…)), got ${describeValue(where)}.${fix}`,
      );
    }
    const items: WhereNode[] = [];
    for (const key of Object.keys(where)) {
      items.push(this.field(queryProperty(meta, key), where[key], path, depth));
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  private at(path: readonly string[]): string {
    return path.length ? `${this.label}.${path.join('.')}` : this.label;
  }

  private field(p: PropertyMetadata, value: unknown, parent: readonly string[], depth: number): WhereNode {
    const path = [...parent, p.name];
    const name = this.at(path);
    if (value === undefined) {
      throw new InvalidArgumentError(
        `${name} is undefined: leave the field out to not filter on it, or compare with isNull() / null.`,
      );
    }
    if (p.kind === 'embedded') {
      if (!isPlainObject(value) && !WhereGroup.is(value)) {
        const embeddable = embeddedOf(p);
        throw new InvalidArgumentError(
          `${name} is an embedded ${embeddable.name}, compared with ${describeValue(value)}: give a where condition ` +
            `on its fields, e.g. { ${p.name}: { ${embeddable.properties[0]!.name}: … } }.`,
        );
      }
      return this.where(embeddedOf(p), value, path, depth + 1);
    }
    if (isToMany(p)) {
      if (!isPlainObject(value) && !WhereGroup.is(value)) {
        throw new InvalidArgumentError(
          `${name} is a to-many relation, compared with ${describeValue(value)}: give a where condition the ` +
            `related ${targetOf(p).name} rows must match, e.g. { ${p.name}: { id: 1 } }.`,
        );
      }
      return { kind: 'some', path, where: new Normalizer(name).where(targetOf(p), value, [], depth + 1) };
    }
    if (isToOne(p)) {
      const target = targetOf(p);
      if (isPlainObject(value) || WhereGroup.is(value)) {
        return this.where(target, value, path, depth + 1);
      }
      if (value instanceof target.class) {
        const key = (value as Record<string, unknown>)[target.primaryKey.name];
        if (key === undefined || key === null) {
          throw new InvalidArgumentError(
            `${name} is compared with a ${target.name} that has no ${target.primaryKey.name} yet: insert it first, or compare with its key.`,
          );
        }
        return this.compare(name, path, p, eq(key));
      }
    }
    return this.compare(name, path, p, Operator.is(value) ? value : eq(value));
  }

  private compare(name: string, path: string[], p: PropertyMetadata, operator: Operator): CompareNode {
    const type = comparedType(p);
    const scalar = isToOne(p) ? targetOf(p).primaryKey : p;
    const value = (v: unknown) => {
      if (v === null || v === undefined) {
        throw new InvalidArgumentError(
          `${name}: ${operator.op}(…) needs a value, got ${describeValue(v)}. Use isNull() / isNotNull() for NULL.`,
        );
      }
      return columnValue(name, type, v);
    };
    const text = () => {
      if (!isTextType(type, scalar)) {
        throw new InvalidArgumentError(
          `${name} is a ${type} column: ${operator.op}(…) compares text, so it works on string and text columns only.`,
        );
      }
      if (typeof operator.value !== 'string') {
        throw new InvalidArgumentError(
          `${name}: ${operator.op}(…) takes a string, got ${describeValue(operator.value)}.`,
        );
      }
      return operator.value;
    };
    const node = (op: CompareOp, v: unknown, ignoreCase = false): CompareNode => ({
      kind: 'cmp',
      path,
      op,
      value: v,
      ignoreCase,
      type,
    });
    const { op, ignoreCase } = operator;
    switch (op) {
      case 'eq':
      case 'ne':
        if (operator.value === null) return node(op === 'eq' ? 'isNull' : 'isNotNull', undefined);
        if (ignoreCase) {
          text();
          return node(op, operator.value, true);
        }
        return node(op, value(operator.value));
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        if (type === 'boolean') {
          throw new InvalidArgumentError(
            `${name} is a boolean column: compare it with true or false, not ${op}(…).`,
          );
        }
        return node(op, value(operator.value));
      case 'between': {
        const bounds = operator.value as readonly unknown[];
        if (bounds.length !== 2 || bounds[0] === undefined || bounds[1] === undefined) {
          throw new InvalidArgumentError(`${name}: between(low, high) needs both bounds.`);
        }
        return node('between', Object.freeze([value(bounds[0]), value(bounds[1])]));
      }
      case 'isIn':
      case 'notIn': {
        if (!Array.isArray(operator.value)) {
          throw new InvalidArgumentError(
            `${name}: ${op}(…) takes an array of values, got ${describeValue(operator.value)}.`,
          );
        }
        const values = operator.value.map((v) => {
          if (v === null) {
            throw new InvalidArgumentError(
              `${name}: ${op}(…) cannot hold null (SQL's "in" never matches NULL). Write or({ ${p.name}: ${op}([…]) }, { ${p.name}: isNull() }).`,
            );
          }
          return value(v);
        });
        return node(op, Object.freeze(values));
      }
      case 'like':
      case 'ilike': {
        const pattern = text();
        // Databases disagree on a pattern ending in its escape character (an error, a literal, no match).
        if (/(?:^|[^\\])(?:\\\\)*\\$/.test(pattern)) {
          throw new InvalidArgumentError(
            `${name}: the ${op} pattern ends with an unescaped \\. Escape a literal backslash as \\\\, or use startsWith/endsWith/contains for literal text.`,
          );
        }
        return node('like', pattern, ignoreCase);
      }
      case 'startsWith':
        return node('like', `${escapeLike(text())}%`, ignoreCase);
      case 'endsWith':
        return node('like', `%${escapeLike(text())}`, ignoreCase);
      case 'contains':
        return node('like', `%${escapeLike(text())}%`, ignoreCase);
      case 'isNull':
      case 'isNotNull':
        return node(op, undefined);
    }
  }
}

/**
 * Checks a `where` against the entity's metadata and returns its normalized tree, the one form a backend
 * is given. An unknown field is an `UnknownFieldError`; a plain object or an array where a value is
 * expected, a value of the wrong type for its column, an operator given the wrong operands (`between`
 * without two bounds, `isIn` without an array, `like` without a string) an `InvalidArgumentError`.
 * `undefined` (no `where`) is "every row".
 *
 * ```ts
 * normalizeWhere(metadataOf(User), { age: gte(18), author: { name: 'ada' } });
 * // { kind: 'and', items: [{ kind: 'cmp', path: ['age'], op: 'gte', value: 18, … }, …] }
 * ```
 */
export function normalizeWhere(meta: EntityMetadata, where: unknown): WhereNode {
  if (where === undefined) return { kind: 'and', items: [] };
  return new Normalizer(meta.name).where(meta, where, [], 0);
}
