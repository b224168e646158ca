// Random query conditions for the property test: each one both a Kosha `Where` and a predicate of the
// in-memory model, so the rows the database returns can be checked against the rows the model keeps.
import {
  and,
  between,
  contains,
  endsWith,
  eq,
  escapeLike,
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
  or,
  startsWith,
  type Where,
} from '@kosha/core';
import fc from 'fast-check';
import type { QAuthor, QPost } from './entities.js';
import {
  AUTHORS,
  type AuthorRow,
  and3,
  compareValues,
  foldAscii,
  likeMatches,
  not3,
  or3,
  POSTS,
  type PostRow,
  type Truth,
} from './query-fixture.js';

type Kind = 'text' | 'number' | 'boolean' | 'date';

interface Field {
  name: string;
  kind: Kind;
  nullable: boolean;
  values: readonly unknown[];
}

const TEXTS = [
  ...new Set([
    ...AUTHORS.flatMap((a) => [a.username, a.nickname ?? 'x']),
    ...POSTS.map((p) => p.title),
    ...[
      'a',
      'A',
      'ad',
      'AD',
      'é',
      'É',
      '%',
      '_',
      '\\',
      ' ',
      '😀',
      '\uFB00',
      '\uFFFD',
      'ss',
      "'",
      '"',
      'z',
      '',
      '*',
      '?',
      '[a]',
    ],
  ]),
];
const NUMBERS = [-10, -7.5, -2.25, -0.5, 0, 0.125, 1, 1.5, 2, 3, 3.75, 10, 18, 36, 50, 99, 1e6];
const DATES = [
  ...AUTHORS.map((a) => a.joined),
  new Date(Date.UTC(2025, 11, 31)),
  new Date(Date.UTC(2026, 0, 3, 12, 0, 0, 0)),
];

const AUTHOR_FIELDS: readonly Field[] = [
  { name: 'username', kind: 'text', nullable: false, values: TEXTS },
  { name: 'nickname', kind: 'text', nullable: true, values: TEXTS },
  { name: 'age', kind: 'number', nullable: true, values: NUMBERS.filter(Number.isInteger) },
  { name: 'score', kind: 'number', nullable: false, values: NUMBERS },
  { name: 'active', kind: 'boolean', nullable: false, values: [true, false] },
  { name: 'joined', kind: 'date', nullable: false, values: DATES },
];
const POST_FIELDS: readonly Field[] = [
  { name: 'title', kind: 'text', nullable: false, values: TEXTS },
  { name: 'views', kind: 'number', nullable: true, values: NUMBERS.filter(Number.isInteger) },
];

/** A condition of the model: the Kosha `where` it stands for and its truth on a row. */
export interface Condition<R> {
  readonly where: unknown;
  readonly test: (row: R | null) => Truth;
  /** For a failure message. */
  readonly text: string;
}

const value = (row: object | null, name: string) =>
  row === null ? null : ((row as Record<string, unknown>)[name] ?? null);
const same = (a: unknown, b: unknown) => compareValues(a, b) === 0;

/** One comparison of a field: the operator and operands fast-check picks, for the field's kind. */
function comparison<R extends object>(field: Field): fc.Arbitrary<Condition<R>> {
  const v = fc.constantFrom(...field.values);
  const vs = fc.array(v, { maxLength: 4 });
  const cmp = (text: string, where: unknown, test: (x: unknown) => Truth): Condition<R> => ({
    where: { [field.name]: where },
    text: `${field.name}: ${text}`,
    test: (row) => {
      const x = value(row, field.name);
      return test(x);
    },
  });
  const onValue = (f: (x: unknown) => boolean) => (x: unknown) => (x === null ? null : f(x));
  const options: fc.Arbitrary<Condition<R>>[] = [
    v.map((a) =>
      cmp(
        `${JSON.stringify(a)}`,
        a,
        onValue((x) => same(x, a)),
      ),
    ),
    v.map((a) =>
      cmp(
        `eq(${JSON.stringify(a)})`,
        eq(a),
        onValue((x) => same(x, a)),
      ),
    ),
    v.map((a) =>
      cmp(
        `ne(${JSON.stringify(a)})`,
        ne(a),
        onValue((x) => !same(x, a)),
      ),
    ),
    vs.map((a) =>
      cmp(`isIn(${JSON.stringify(a)})`, isIn(a), (x) =>
        a.length === 0 ? false : x === null ? null : a.some((y) => same(x, y)),
      ),
    ),
    vs.map((a) =>
      cmp(`notIn(${JSON.stringify(a)})`, notIn(a), (x) =>
        a.length === 0 ? true : x === null ? null : !a.some((y) => same(x, y)),
      ),
    ),
  ];
  if (field.kind !== 'boolean') {
    options.push(
      v.map((a) =>
        cmp(
          `gt(${JSON.stringify(a)})`,
          gt(a),
          onValue((x) => compareValues(x, a) > 0),
        ),
      ),
      v.map((a) =>
        cmp(
          `gte(${JSON.stringify(a)})`,
          gte(a),
          onValue((x) => compareValues(x, a) >= 0),
        ),
      ),
      v.map((a) =>
        cmp(
          `lt(${JSON.stringify(a)})`,
          lt(a),
          onValue((x) => compareValues(x, a) < 0),
        ),
      ),
      v.map((a) =>
        cmp(
          `lte(${JSON.stringify(a)})`,
          lte(a),
          onValue((x) => compareValues(x, a) <= 0),
        ),
      ),
      fc.tuple(v, v).map(([a, b]) =>
        cmp(
          `between(${JSON.stringify(a)}, ${JSON.stringify(b)})`,
          between(a, b),
          onValue((x) => compareValues(x, a) >= 0 && compareValues(x, b) <= 0),
        ),
      ),
    );
  }
  if (field.nullable) {
    options.push(
      fc.constant(cmp('null', null, (x) => x === null)),
      fc.constant(cmp('isNull()', isNull(), (x) => x === null)),
      fc.constant(cmp('isNotNull()', isNotNull(), (x) => x !== null)),
    );
  }
  if (field.kind === 'text') options.push(...textComparisons<R>(field, cmp));
  return fc.oneof(...options);
}

function textComparisons<R>(
  field: Field,
  cmp: (text: string, where: unknown, test: (x: unknown) => Truth) => Condition<R>,
): fc.Arbitrary<Condition<R>>[] {
  const s = fc.constantFrom(...(field.values as string[]));
  const ic = fc.boolean();
  const pattern = fc
    .array(fc.oneof(fc.constantFrom('%', '_'), s.map(escapeLike)), { minLength: 1, maxLength: 4 })
    .map((parts) => parts.join(''));
  const text = (f: (x: string) => boolean) => (x: unknown) => (x === null ? null : f(x as string));
  const fold = (on: boolean, x: string) => (on ? foldAscii(x) : x);
  return [
    fc.tuple(s, ic).map(([a, i]) =>
      cmp(
        `eq(${JSON.stringify(a)}, ic=${i})`,
        eq(a, { ignoreCase: i }),
        text((x) => fold(i, x) === fold(i, a)),
      ),
    ),
    fc.tuple(s, ic).map(([a, i]) =>
      cmp(
        `ne(${JSON.stringify(a)}, ic=${i})`,
        ne(a, { ignoreCase: i }),
        text((x) => fold(i, x) !== fold(i, a)),
      ),
    ),
    pattern.map((p) =>
      cmp(
        `like(${JSON.stringify(p)})`,
        like(p),
        text((x) => likeMatches(x, p)),
      ),
    ),
    pattern.map((p) =>
      cmp(
        `ilike(${JSON.stringify(p)})`,
        ilike(p),
        text((x) => likeMatches(foldAscii(x), foldAscii(p))),
      ),
    ),
    fc.tuple(s, ic).map(([a, i]) =>
      cmp(
        `startsWith(${JSON.stringify(a)}, ic=${i})`,
        startsWith(a, { ignoreCase: i }),
        text((x) => fold(i, x).startsWith(fold(i, a))),
      ),
    ),
    fc.tuple(s, ic).map(([a, i]) =>
      cmp(
        `endsWith(${JSON.stringify(a)}, ic=${i})`,
        endsWith(a, { ignoreCase: i }),
        text((x) => fold(i, x).endsWith(fold(i, a))),
      ),
    ),
    fc.tuple(s, ic).map(([a, i]) =>
      cmp(
        `contains(${JSON.stringify(a)}, ic=${i})`,
        contains(a, { ignoreCase: i }),
        text((x) => fold(i, x).includes(fold(i, a))),
      ),
    ),
  ];
}

/** Several conditions in one object: all must hold. */
function fields<R extends object>(field: fc.Arbitrary<Condition<R>>): fc.Arbitrary<Condition<R>> {
  return fc
    .uniqueArray(field, { minLength: 1, maxLength: 3, selector: (c) => Object.keys(c.where as object)[0] })
    .map((cs) => ({
      where: Object.assign({}, ...cs.map((c) => c.where)),
      text: `{ ${cs.map((c) => c.text).join(', ')} }`,
      test: (row) => and3(cs.map((c) => c.test(row))),
    }));
}

/** and/or/not over `leaf`, nested up to `depth`. */
function combined<R>(leaf: fc.Arbitrary<Condition<R>>, depth: number): fc.Arbitrary<Condition<R>> {
  if (depth === 0) return leaf;
  const inner = combined(leaf, depth - 1);
  const group = (kind: 'and' | 'or') =>
    fc.array(inner, { maxLength: 3 }).map((cs) => ({
      where:
        kind === 'and'
          ? and(...(cs.map((c) => c.where) as Where<unknown>[]))
          : or(...(cs.map((c) => c.where) as Where<unknown>[])),
      text: `${kind}(${cs.map((c) => c.text).join(', ')})`,
      test: (row: R | null) => (kind === 'and' ? and3 : or3)(cs.map((c) => c.test(row))),
    }));
  return fc.oneof(
    { arbitrary: leaf, weight: 3 },
    { arbitrary: group('and'), weight: 1 },
    { arbitrary: group('or'), weight: 1 },
    {
      arbitrary: inner.map((c) => ({
        where: not(c.where as Where<unknown>),
        text: `not(${c.text})`,
        test: (row: R | null) => not3(c.test(row)),
      })),
      weight: 1,
    },
  );
}

/** A post's own conditions (inside an author's `posts` condition). */
const postOwn = combined(fields(fc.oneof(...POST_FIELDS.map((f) => comparison<PostRow>(f)))), 1);

/** Conditions on an author: its fields, and "some post of theirs matches". */
export function authorCondition(): fc.Arbitrary<Condition<AuthorRow>> {
  const own = fc.oneof(...AUTHOR_FIELDS.map((f) => comparison<AuthorRow>(f)));
  const posts = postOwn.map((c) => ({
    where: { posts: c.where },
    text: `posts: some ${c.text}`,
    test: (row: AuthorRow | null) => {
      if (row === null) return null;
      const i = AUTHORS.indexOf(row);
      return POSTS.some((p) => p.author === i && c.test(p) === true);
    },
  }));
  return combined(fields(fc.oneof({ arbitrary: own, weight: 4 }, { arbitrary: posts, weight: 1 })), 2);
}

/** Conditions on a post: its fields, its author's (NULL when it has none), and the relation itself. */
export function postCondition(): fc.Arbitrary<Condition<PostRow>> {
  const own = fc.oneof(...POST_FIELDS.map((f) => comparison<PostRow>(f)));
  const authorOwn = combined(fields(fc.oneof(...AUTHOR_FIELDS.map((f) => comparison<AuthorRow>(f)))), 1);
  const byAuthor = authorOwn.map((c) => ({
    where: { author: c.where },
    text: `author: ${c.text}`,
    test: (row: PostRow | null) => c.test(row?.author == null ? null : AUTHORS[row.author]!),
  }));
  const relation = fc.oneof(
    fc.constant({
      where: { author: isNull() },
      text: 'author: isNull()',
      test: (r: PostRow | null) => r?.author === null,
    }),
    fc.constant({
      where: { author: isNotNull() },
      text: 'author: isNotNull()',
      test: (r: PostRow | null) => r?.author !== null,
    }),
  );
  return combined(
    fields(
      fc.oneof(
        { arbitrary: own, weight: 3 },
        { arbitrary: byAuthor, weight: 2 },
        { arbitrary: relation, weight: 1 },
      ),
    ),
    2,
  );
}

/** The `where` of a condition, typed for its repository. */
export const authorWhere = (c: Condition<AuthorRow>) => c.where as Where<QAuthor>;
export const postWhere = (c: Condition<PostRow>) => c.where as Where<QPost>;
