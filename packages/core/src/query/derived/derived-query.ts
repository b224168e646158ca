// From a parsed derived name to what each call needs: the parameters it takes, and a function from the
// call's arguments to a where tree made with the operator functions (normalizeWhere checks it on the way
// down like any other where). Everything per name is decided here, once; a call only fills in values.
import { isToOne } from '../../mapping/metadata.js';
import { targetOf } from '../normalize-where.js';
import {
  and,
  between,
  contains,
  endsWith,
  eq,
  gt,
  gte,
  ilike,
  isIn,
  isNotNull,
  isNull,
  like,
  lt,
  lte,
  ne,
  not,
  notIn,
  Operator,
  or,
  startsWith,
  WhereGroup,
} from '../operators.js';
import type { Direction } from '../where.js';
import { derivedCallErrors as errors } from './derived-errors.js';
import type { DerivedKind, DerivedPredicate, ParsedDerivedName } from './parse-derived-name.js';

type Where = Record<string, unknown> | WhereGroup;

/** A derived method, ready to be called: what it does, what it takes, how its arguments become a where. */
export interface DerivedQuery {
  /** The method's name. */
  readonly name: string;
  /** What it does. */
  readonly kind: DerivedKind;
  /** The rows it returns at most (`findTop10By`: 10, `findFirstBy`: 1). */
  readonly limit: number | undefined;
  /** One description per argument of the criteria, in order (`email`, `age (low)`, `age (high)`). */
  readonly parameters: readonly string[];
  /** The name's `OrderBy`, as a find `orderBy` (keys in order); `undefined` without one. */
  readonly orderBy: Readonly<Record<string, Direction>> | undefined;
  /**
   * The where of one call, from its arguments (the first `parameters.length` of them): `undefined` when
   * the name has no condition. Refuses an undefined argument, an operator or a where group in place of
   * a value, a non-array for `In`, with an `InvalidArgumentError`.
   */
  where(args: readonly unknown[]): Where | undefined;
}

const IGNORE_CASE = Object.freeze({ ignoreCase: true });

/** A where object, an operator or a group: what a value argument must not be (the name says the comparison). */
function isCondition(value: unknown): boolean {
  return Operator.is(value) || WhereGroup.is(value);
}

function isRecordLike(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || Array.isArray(value);
}

interface Compiled {
  /** The property it compares. */
  readonly field: string;
  /** `make` returns a whole where (a `not(…)` group), not a field's condition. */
  readonly whole: boolean;
  make(args: readonly unknown[]): unknown;
}

function describe(p: DerivedPredicate): string[] {
  if (p.args === 0) return [];
  if (p.args === 2) return [`${p.property.name} (low)`, `${p.property.name} (high)`];
  return [p.operator === 'isIn' || p.operator === 'notIn' ? `${p.property.name} (array)` : p.property.name];
}

function compile(label: string, p: DerivedPredicate, at: number): Compiled {
  const field = p.property.name;
  const relation = isToOne(p.property);
  const [parameter = field] = describe(p);
  const nullHint = p.property.options.nullable ? ', or null to match NULL' : '';
  const value = (args: readonly unknown[], i = at): unknown => {
    const v = args[i];
    if (v === undefined) throw errors.undefinedArgument(label, i, describe(p)[i - at] ?? parameter, nullHint);
    if (isCondition(v) || (relation && isRecordLike(v))) {
      throw errors.notAValue(label, i, describe(p)[i - at] ?? parameter, v, p.keyword || 'equality');
    }
    return v;
  };
  const text = (args: readonly unknown[]): string => value(args) as string;
  const list = (args: readonly unknown[]): readonly unknown[] => {
    const v = args[at];
    if (!Array.isArray(v)) throw errors.notAnArray(label, at, parameter, v);
    if (!relation) return v;
    // A to-one relation's In takes entities or keys; operators compare keys.
    const target = targetOf(p.property);
    const key = target.primaryKey.name;
    return v.map((item) => (item instanceof target.class ? (item as Record<string, unknown>)[key] : item));
  };
  const cond = (make: Compiled['make']): Compiled => ({ field, whole: false, make });
  const group = (make: (args: readonly unknown[]) => WhereGroup): Compiled => ({ field, whole: true, make });
  const ic = p.ignoreCase ? IGNORE_CASE : undefined;
  switch (p.operator) {
    case 'eq':
      return cond(ic ? (args) => eq(value(args), ic) : value);
    case 'ne':
      // On a to-one relation, not({ author: x }) takes the entity or its key as equality does.
      return relation ? group((args) => not({ [field]: value(args) })) : cond((args) => ne(value(args), ic));
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      const make = { lt, lte, gt, gte }[p.operator];
      return cond((args) => make(value(args)));
    }
    case 'between':
      return cond((args) => between(value(args, at), value(args, at + 1)));
    case 'isIn':
      return cond((args) => isIn(list(args)));
    case 'notIn':
      return cond((args) => notIn(list(args)));
    case 'like':
      return cond(ic ? (args) => ilike(text(args)) : (args) => like(text(args)));
    case 'notLike':
      return group((args) => not({ [field]: ic ? ilike(text(args)) : like(text(args)) }));
    case 'startsWith':
      return cond((args) => startsWith(text(args), ic));
    case 'endsWith':
      return cond((args) => endsWith(text(args), ic));
    case 'contains':
      return cond((args) => contains(text(args), ic));
    case 'notContains':
      return group((args) => not({ [field]: contains(text(args), ic) }));
    case 'isNull': {
      const op = isNull();
      return cond(() => op);
    }
    case 'isNotNull': {
      const op = isNotNull();
      return cond(() => op);
    }
    case 'true':
      return cond(() => true);
    case 'false':
      return cond(() => false);
  }
}

function andGroup(parts: readonly Compiled[]): (args: readonly unknown[]) => Where {
  const fields = new Set(parts.map((c) => c.field));
  if (fields.size === parts.length && parts.every((c) => !c.whole)) {
    // Every field once: one where object, as a caller of find would write it.
    return (args) => {
      const where: Record<string, unknown> = {};
      for (const c of parts) where[c.field] = c.make(args);
      return where;
    };
  }
  return (args) =>
    and(...(parts.map((c) => (c.whole ? c.make(args) : { [c.field]: c.make(args) })) as Where[]));
}

/**
 * Prepares a parsed name for calls: its parameters, its order, and its where function. `label` names the
 * method in the messages of a refused call (`UserRepo.findByEmail`).
 */
export function derivedQuery(parsed: ParsedDerivedName, label: string): DerivedQuery {
  let at = 0;
  const parameters: string[] = [];
  const groups = parsed.criteria.map((predicates) =>
    andGroup(
      predicates.map((p) => {
        const c = compile(label, p, at);
        at += p.args;
        parameters.push(...describe(p));
        return c;
      }),
    ),
  );
  let where: DerivedQuery['where'];
  if (groups.length === 0) where = () => undefined;
  else if (groups.length === 1) where = groups[0]!;
  else where = (args) => or(...(groups.map((g) => g(args)) as Where[]));
  let orderBy: Record<string, Direction> | undefined;
  if (parsed.orderBy.length) {
    orderBy = {};
    for (const o of parsed.orderBy) orderBy[o.property.name] = o.direction;
    Object.freeze(orderBy);
  }
  return { name: parsed.name, kind: parsed.kind, limit: parsed.limit, parameters, orderBy, where };
}
