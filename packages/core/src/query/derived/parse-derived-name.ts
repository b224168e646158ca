// Reads a derived query method name (`findByStatusAndAgeGreaterThanOrderByNameDesc`) against the entity's
// metadata. Fields are matched longest first and the parser backtracks, so a field whose name holds a
// keyword (`orderNumber`, `isNullable`, `notes`) still reads; `types.ts` reads names the same way.
import type { KoshaError } from '../../errors.js';
import { type EntityMetadata, isToMany, isToOne, type PropertyMetadata } from '../../mapping/metadata.js';
import { isTextType } from '../column-values.js';
import type { Direction } from '../where.js';
import { derivedNameErrors as errors, pascal } from './derived-errors.js';
import {
  DERIVED_KEYWORDS,
  type DerivedKeyword,
  type DerivedOperator,
  IGNORE_CASE_WORDS,
  KEYWORDS_LONGEST_FIRST,
  OPERATOR_RULES,
} from './keywords.js';

/** What a derived method does: its prefix. `findFirstBy` and `findOneBy` are `findOne`. */
export type DerivedKind = 'find' | 'findOne' | 'count' | 'exists' | 'delete';

/** One condition of a derived name: a field, what it is compared with, and how. */
export interface DerivedPredicate {
  /** The compared property. */
  readonly property: PropertyMetadata;
  /** The keyword as written (`''` for plain equality, `IsNot`, `GreaterThan`…). */
  readonly keyword: DerivedKeyword;
  /** What the keyword does. */
  readonly operator: DerivedOperator;
  /** `IgnoreCase` followed the keyword. */
  readonly ignoreCase: boolean;
  /** How many arguments of the call it takes (0, 1, or 2 for `Between`). */
  readonly args: 0 | 1 | 2;
}

/** One key of a derived name's `OrderBy`. */
export interface DerivedOrder {
  readonly property: PropertyMetadata;
  readonly direction: Direction;
}

/** A derived name, read and checked against the entity. */
export interface ParsedDerivedName {
  /** The name as given. */
  readonly name: string;
  /** What the method does. */
  readonly kind: DerivedKind;
  /** The rows it returns at most: `findTop10By` 10, `findFirstBy`/`findOneBy` 1. */
  readonly limit: number | undefined;
  /** The conditions: OR of AND groups (`And` binds tighter than `Or`); none: every row. */
  readonly criteria: readonly (readonly DerivedPredicate[])[];
  /** The `OrderBy` keys in order. */
  readonly orderBy: readonly DerivedOrder[];
}

type Result<V> =
  | { readonly ok: true; readonly value: V }
  | { readonly ok: false; readonly error: KoshaError };

interface Tail {
  readonly criteria: DerivedPredicate[][];
  readonly orderBy: DerivedOrder[];
}

const ok = <V>(value: V): Result<V> => ({ ok: true, value });
const fail = (error: KoshaError): Result<never> => ({ ok: false, error });

class NameReader {
  /** The properties by their PascalCase name, longest first. */
  private readonly fields: readonly [string, PropertyMetadata][];

  constructor(
    private readonly label: string,
    private readonly meta: EntityMetadata,
    private readonly prefix: string,
    private readonly ordered: boolean,
  ) {
    this.fields = meta.properties
      .map((p) => [pascal(p.name), p] as [string, PropertyMetadata])
      .sort((a, b) => b[0].length - a[0].length);
  }

  private candidates(rest: string) {
    return this.fields.filter(([word]) => rest.startsWith(word));
  }

  /** `rest` starts with a predicate (a field, its keyword, then And, Or, OrderBy or the end). */
  criteria(rest: string): Result<Tail> {
    const candidates = this.candidates(rest);
    if (candidates.length === 0) return fail(errors.noField(this.label, this.meta, rest));
    let first: Result<Tail> | undefined;
    for (const [word, property] of candidates) {
      const r = this.afterField(property, word, rest.slice(word.length));
      if (r.ok) return r;
      first ??= r;
    }
    return first!;
  }

  private afterField(property: PropertyMetadata, word: string, rest: string): Result<Tail> {
    for (const keyword of KEYWORDS_LONGEST_FIRST) {
      if (!rest.startsWith(keyword)) continue;
      let after = rest.slice(keyword.length);
      const ignoreWord = IGNORE_CASE_WORDS.find((w) => after.startsWith(w));
      if (ignoreWord) after = after.slice(ignoreWord.length);
      if (after !== '' && !after.startsWith('And') && !after.startsWith('Or')) continue;
      const checked = this.predicate(property, keyword, ignoreWord !== undefined);
      if (!checked.ok) return checked;
      const tail = this.connector(after);
      if (!tail.ok) return tail;
      const [group, ...groups] = tail.value.criteria;
      return ok({ criteria: [[checked.value, ...(group ?? [])], ...groups], orderBy: tail.value.orderBy });
    }
    return fail(errors.noKeyword(this.label, word, rest));
  }

  /** What follows a predicate: the end, `OrderBy…`, `And…` or `Or…` (the next group). */
  private connector(rest: string): Result<Tail> {
    if (rest === '') return ok({ criteria: [], orderBy: [] });
    let first: Result<Tail> | undefined;
    if (rest.startsWith('OrderBy')) {
      const r = this.orderClause(rest.slice('OrderBy'.length));
      if (r.ok) return r;
      first = r;
    }
    if (rest.startsWith('And')) {
      const r = this.criteria(rest.slice(3));
      if (r.ok) return r;
      first ??= r;
    }
    if (rest.startsWith('Or')) {
      const r = this.criteria(rest.slice(2));
      if (r.ok) return ok({ criteria: [[], ...r.value.criteria], orderBy: r.value.orderBy });
      first ??= r;
    }
    return first!;
  }

  /** `rest` follows `OrderBy`. */
  orderClause(rest: string): Result<Tail> {
    if (!this.ordered) return fail(errors.orderByOn(this.label, this.prefix));
    const r = this.orderKeys(rest, new Set());
    return r.ok ? ok({ criteria: [], orderBy: r.value }) : r;
  }

  private orderKeys(rest: string, seen: ReadonlySet<string>): Result<DerivedOrder[]> {
    const candidates = this.candidates(rest);
    if (candidates.length === 0) return fail(errors.noField(this.label, this.meta, rest));
    let first: Result<DerivedOrder[]> | undefined;
    for (const [word, property] of candidates) {
      const r = this.orderKey(property, word, rest.slice(word.length), seen);
      if (r.ok) return r;
      first ??= r;
    }
    return first!;
  }

  private orderKey(
    property: PropertyMetadata,
    word: string,
    rest: string,
    seen: ReadonlySet<string>,
  ): Result<DerivedOrder[]> {
    const direction: Direction | undefined = rest.startsWith('Asc')
      ? 'asc'
      : rest.startsWith('Desc')
        ? 'desc'
        : undefined;
    if (!direction) return fail(errors.direction(this.label, word));
    if (isToMany(property) || property.kind === 'embedded' || property.type === 'json') {
      return fail(errors.orderField(this.label, this.meta, property));
    }
    if (seen.has(property.name)) return fail(errors.orderTwice(this.label, word));
    const key: DerivedOrder = { property, direction };
    const after = rest.slice(direction === 'asc' ? 3 : 4);
    if (after === '') return ok([key]);
    const more = this.orderKeys(after, new Set([...seen, property.name]));
    return more.ok ? ok([key, ...more.value]) : more;
  }

  private predicate(
    property: PropertyMetadata,
    keyword: DerivedKeyword,
    ignoreCase: boolean,
  ): Result<DerivedPredicate> {
    const operator = DERIVED_KEYWORDS[keyword];
    const rule = OPERATOR_RULES[operator];
    const { label, meta } = this;
    if (isToMany(property) || property.kind === 'embedded') return fail(errors.toMany(label, meta, property));
    const relation = isToOne(property);
    const type = property.type ?? 'string';
    const text = !relation && isTextType(type, property);
    const shown = keyword || 'equality';
    switch (rule.operand) {
      case 'text':
        if (!text)
          return fail(errors.operand(label, meta, property, shown, 'text fields (string, text, enum)'));
        break;
      case 'boolean':
        if (relation || type !== 'boolean')
          return fail(errors.operand(label, meta, property, shown, 'boolean fields'));
        break;
      case 'ordered':
        if (relation || type === 'boolean' || type === 'json') {
          return fail(
            errors.operand(
              label,
              meta,
              property,
              shown,
              'columns with ordered values (numbers, text, dates)',
            ),
          );
        }
        break;
      case 'value':
        if (type === 'json' && !relation) {
          return fail(
            errors.operand(label, meta, property, shown, 'columns other than json, and to-one relations'),
          );
        }
        break;
      case 'nullable':
        break;
    }
    if (ignoreCase && (!rule.ignoreCase || !text))
      return fail(errors.ignoreCase(label, meta, property, keyword));
    return ok({ property, keyword, operator, ignoreCase, args: rule.args });
  }
}

const PREFIX = /^(find|findFirst|findOne|findTop|count|exists|delete)(\d*)By/;

/**
 * Reads a derived query method name against the entity's metadata. A name that does not read, an unknown
 * field, a keyword on a field it does not apply to (`Like` on a number, `True` on a string) is a
 * `MappingError` naming the part it could not read and the fix. `label` names the method in messages
 * (`UserRepo.findByEmail`).
 *
 * ```ts
 * parseDerivedName(metadataOf(User), 'findByStatusAndAgeGreaterThanOrderByNameDesc', 'UserRepo');
 * // { kind: 'find', criteria: [[status eq, age gt]], orderBy: [name desc], limit: undefined }
 * ```
 */
export function parseDerivedName(meta: EntityMetadata, name: string, label: string): ParsedDerivedName {
  const m = PREFIX.exec(name);
  if (!m) throw errors.prefix(label, name);
  const [matched, verb, digits] = m as unknown as [string, string, string];
  let kind: DerivedKind;
  let limit: number | undefined;
  if (verb === 'findTop' || (verb === 'findFirst' && digits !== '')) {
    if (!/^[1-9]\d{0,14}$/.test(digits)) throw errors.topCount(label, matched);
    kind = 'find';
    limit = Number(digits);
  } else if (digits !== '') {
    throw errors.prefix(label, name);
  } else if (verb === 'findFirst' || verb === 'findOne') {
    kind = 'findOne';
    limit = 1;
  } else {
    kind = verb as DerivedKind;
  }
  const prefix = matched.slice(0, -2);
  const reader = new NameReader(label, meta, prefix, kind === 'find' || kind === 'findOne');
  const rest = name.slice(matched.length);
  if (rest === '') throw errors.empty(label, prefix);
  let r = reader.criteria(rest);
  // No condition, only an order (findByOrderByNameAsc): a field that starts with "Order" came first.
  if (!r.ok && rest.startsWith('OrderBy')) r = reader.orderClause(rest.slice('OrderBy'.length));
  if (!r.ok) throw r.error;
  return { name, kind, limit, criteria: r.value.criteria, orderBy: r.value.orderBy };
}
