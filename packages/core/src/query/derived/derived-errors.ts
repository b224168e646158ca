// The messages of a derived name that does not read (MappingError, when `derive` runs) and of a call
// with the wrong arguments (InvalidArgumentError), kept beside each other rather than at each throw site.
import { InvalidArgumentError, MappingError } from '../../errors.js';
import { type EntityMetadata, isToMany, isToOne, type PropertyMetadata } from '../../mapping/metadata.js';
import { describeValue } from '../column-values.js';

/** `createdAt` → `CreatedAt`: how a field is written in a method name. */
export function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

const PREFIXES = 'find, findFirst, findOne, findTop<N>, count, exists or delete, then By';
const KEYWORD_LIST =
  'Is, Equals, Not, LessThan, LessThanEqual, GreaterThan, GreaterThanEqual, Between, In, NotIn, Like, ' +
  'NotLike, StartingWith, EndingWith, Containing, NotContaining, IsNull, IsNotNull, True, False';

function fieldList(meta: EntityMetadata): string {
  return meta.properties.map((p) => pascal(p.name)).join(', ');
}

function kindOf(p: PropertyMetadata): string {
  if (isToOne(p)) return 'a to-one relation';
  if (isToMany(p)) return 'a to-many relation';
  if (p.kind === 'embedded') return 'an embedded value';
  return `a ${p.type ?? 'string'} column`;
}

/** Why a derived name does not read: the part it could not read, and the fix. */
export const derivedNameErrors = {
  prefix: (label: string, name: string) =>
    new MappingError(
      `${label}: cannot read ${JSON.stringify(name)}: a derived query method starts with ${PREFIXES} ` +
        '(findByEmail, findTop10ByStatusOrderByNameAsc, countByStatus).',
    ),
  topCount: (label: string, prefix: string) =>
    new MappingError(
      `${label}: cannot read ${JSON.stringify(prefix)}: findTop takes a whole number ≥ 1 without leading zeros ` +
        '(findTop10By…); for a single row write findFirstBy….',
    ),
  empty: (label: string, prefix: string) =>
    new MappingError(
      `${label}: ${prefix}By needs a condition after By (${prefix}ByEmail)` +
        (prefix.startsWith('find') ? `, or an order (${prefix}ByOrderByNameAsc).` : '.'),
    ),
  noField: (label: string, meta: EntityMetadata, rest: string) =>
    new MappingError(
      `${label}: cannot read ${JSON.stringify(rest)}: no field of ${meta.name} starts there. ` +
        `Name a field in PascalCase: ${fieldList(meta)}.`,
    ),
  noKeyword: (label: string, field: string, rest: string) =>
    new MappingError(
      `${label}: cannot read ${JSON.stringify(rest)} after ${field}: expected a keyword (${KEYWORD_LIST}), ` +
        'IgnoreCase, And, Or, OrderBy or the end of the name.',
    ),
  toMany: (label: string, meta: EntityMetadata, p: PropertyMetadata) =>
    new MappingError(
      `${label}: ${meta.name}.${p.name} is ${kindOf(p)}: a derived method compares columns and to-one ` +
        `relations. Filter on it with find({ where: { ${p.name}: { … } } }).`,
    ),
  operand: (label: string, meta: EntityMetadata, p: PropertyMetadata, keyword: string, wants: string) =>
    new MappingError(
      `${label}: ${pascal(p.name)}${keyword}: ${keyword} applies to ${wants}, and ${meta.name}.${p.name} is ` +
        `${kindOf(p)}. Use another keyword, or find({ where }) for this condition.`,
    ),
  ignoreCase: (label: string, meta: EntityMetadata, p: PropertyMetadata, keyword: string) =>
    new MappingError(
      keyword === '' || keyword === 'Is' || keyword === 'Equals' || keyword === 'Not' || keyword === 'IsNot'
        ? `${label}: ${pascal(p.name)}${keyword}IgnoreCase: IgnoreCase compares text, and ${meta.name}.${p.name} is ${kindOf(p)}. Remove IgnoreCase.`
        : `${label}: ${pascal(p.name)}${keyword}IgnoreCase: IgnoreCase follows equality (Is, Not) and the text ` +
            `keywords (Like, StartingWith, EndingWith, Containing), not ${keyword}. Remove it.`,
    ),
  orderByOn: (label: string, prefix: string) =>
    new MappingError(
      `${label}: OrderBy has no effect on ${prefix}By: remove it (the order only matters to find…By).`,
    ),
  direction: (label: string, field: string) =>
    new MappingError(
      `${label}: OrderBy${field} needs a direction: OrderBy${field}Asc or OrderBy${field}Desc.`,
    ),
  orderField: (label: string, meta: EntityMetadata, p: PropertyMetadata) =>
    new MappingError(
      `${label}: OrderBy${pascal(p.name)}: ${meta.name}.${p.name} is ${kindOf(p)}, which a query cannot order by. ` +
        'Order by a column or a to-one relation.',
    ),
  orderTwice: (label: string, field: string) =>
    new MappingError(`${label}: OrderBy names ${field} twice: keep one.`),
};

/** Why a call of a derived method was refused. */
export const derivedCallErrors = {
  arity: (label: string, parameters: readonly string[], options: string | undefined, got: number) =>
    new InvalidArgumentError(
      `${label} takes ${parameters.length} argument${parameters.length === 1 ? '' : 's'}` +
        (parameters.length ? ` (${parameters.join(', ')})` : '') +
        (options ? `, then optionally ${options}` : '') +
        `, got ${got}.`,
    ),
  undefinedArgument: (label: string, index: number, parameter: string, nullable: string) =>
    new InvalidArgumentError(
      `${label}: argument ${index + 1} (${parameter}) is undefined. Pass a value${nullable}.`,
    ),
  notAValue: (label: string, index: number, parameter: string, value: unknown, keyword: string) =>
    new InvalidArgumentError(
      `${label}: argument ${index + 1} (${parameter}) is a value to compare with, got ${describeValue(value)}. ` +
        `The comparison is in the name (${keyword}); for other conditions use find({ where }).`,
    ),
  notAnArray: (label: string, index: number, parameter: string, value: unknown) =>
    new InvalidArgumentError(
      `${label}: argument ${index + 1} (${parameter}) is an array of values, got ${describeValue(value)}.`,
    ),
  options: (label: string, options: string, value: unknown) =>
    new InvalidArgumentError(`${label}: the last argument is ${options}, got ${describeValue(value)}.`),
  optionKey: (label: string, key: string, allowed: readonly string[]) =>
    new InvalidArgumentError(
      `${label}: unknown option ${JSON.stringify(key)}; the options are ${allowed.join(', ')}.`,
    ),
};
