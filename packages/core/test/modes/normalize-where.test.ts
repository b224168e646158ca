import {
  and,
  between,
  column,
  contains,
  endsWith,
  entity,
  eq,
  gt,
  gte,
  InvalidArgumentError,
  id,
  ilike,
  isIn,
  isNotNull,
  isNull,
  like,
  lt,
  manyToOne,
  metadataOf,
  ne,
  normalizeOrderBy,
  normalizePopulate,
  normalizeSelect,
  normalizeWhere,
  not,
  notIn,
  Operator,
  oneToMany,
  or,
  resolveEntities,
  startsWith,
  UnknownFieldError,
  WhereGroup,
} from '@kosha/core';
import { describe, expect, it } from 'vitest';

@entity
class NwAuthor {
  @id() id!: number;
  @column({ type: 'string' }) username!: string;
  @column({ type: 'integer', nullable: true }) age!: number | null;
  @column({ type: 'boolean' }) active!: boolean;
  @column({ type: 'datetime' }) joined!: Date;
  @column({ type: 'json', nullable: true }) settings!: unknown;
  @column({ type: 'uuid', nullable: true }) token!: string | null;
  @column({ type: 'bigint', nullable: true }) karma!: bigint | null;
  @column({ type: 'date', nullable: true }) birthday!: string | null;
  @column({ type: 'enum', enum: ['admin', 'user'] }) role!: 'admin' | 'user';
  @manyToOne(() => NwAuthor, { nullable: true }) mentor!: NwAuthor | null;
  @oneToMany(() => NwPost, 'author') posts!: NwPost[];
}

@entity
class NwPost {
  @id() id!: number;
  @column({ type: 'string' }) title!: string;
  @manyToOne(() => NwAuthor) author!: NwAuthor;
}

resolveEntities([NwAuthor, NwPost]);
const authors = metadataOf(NwAuthor);
const posts = metadataOf(NwPost);
const cmp = (path: string[], op: string, value: unknown, type: string, ignoreCase = false) => ({
  kind: 'cmp',
  path,
  op,
  value,
  ignoreCase,
  type,
});

describe('normalizeWhere', () => {
  it('turns plain values into equality and combines fields with and', () => {
    expect(normalizeWhere(authors, { username: 'ada', active: true })).toEqual({
      kind: 'and',
      items: [cmp(['username'], 'eq', 'ada', 'string'), cmp(['active'], 'eq', true, 'boolean')],
    });
    expect(normalizeWhere(authors, { age: null })).toEqual(cmp(['age'], 'isNull', undefined, 'integer'));
    expect(normalizeWhere(authors, undefined)).toEqual({ kind: 'and', items: [] });
    expect(normalizeWhere(authors, {})).toEqual({ kind: 'and', items: [] });
  });

  it('keeps every operator, with its operands checked', () => {
    const d = new Date('2026-01-01T00:00:00Z');
    expect(normalizeWhere(authors, { age: gt(1) })).toEqual(cmp(['age'], 'gt', 1, 'integer'));
    expect(normalizeWhere(authors, { age: gte(1) })).toMatchObject({ op: 'gte' });
    expect(normalizeWhere(authors, { age: lt(1) })).toMatchObject({ op: 'lt' });
    expect(normalizeWhere(authors, { age: ne(3) })).toMatchObject({ op: 'ne', value: 3 });
    expect(normalizeWhere(authors, { age: between(1, 9) })).toMatchObject({ op: 'between', value: [1, 9] });
    expect(normalizeWhere(authors, { joined: gt(d) })).toMatchObject({
      op: 'gt',
      value: d,
      type: 'datetime',
    });
    expect(normalizeWhere(authors, { id: isIn([1, 2]) })).toMatchObject({ op: 'isIn', value: [1, 2] });
    expect(normalizeWhere(authors, { id: notIn([]) })).toMatchObject({ op: 'notIn', value: [] });
    expect(normalizeWhere(authors, { age: isNull() })).toMatchObject({ op: 'isNull' });
    expect(normalizeWhere(authors, { age: isNotNull() })).toMatchObject({ op: 'isNotNull' });
    expect(normalizeWhere(authors, { age: eq(null) })).toMatchObject({ op: 'isNull' });
    expect(normalizeWhere(authors, { age: ne(null) })).toMatchObject({ op: 'isNotNull' });
    expect(normalizeWhere(authors, { karma: gt(5) })).toMatchObject({ value: 5n, type: 'bigint' });
    expect(normalizeWhere(authors, { birthday: d })).toMatchObject({ value: '2026-01-01', type: 'date' });
    expect(normalizeWhere(authors, { role: like('ad%') })).toMatchObject({ op: 'like', type: 'enum' });
  });

  it('turns the text operators into LIKE patterns, escaping the literal ones', () => {
    expect(normalizeWhere(authors, { username: like('a_%') })).toEqual(
      cmp(['username'], 'like', 'a_%', 'string'),
    );
    expect(normalizeWhere(authors, { username: ilike('A%') })).toEqual(
      cmp(['username'], 'like', 'A%', 'string', true),
    );
    expect(normalizeWhere(authors, { username: startsWith('50%_\\') })).toMatchObject({
      op: 'like',
      value: '50\\%\\_\\\\%',
      ignoreCase: false,
    });
    expect(normalizeWhere(authors, { username: endsWith('x', { ignoreCase: true }) })).toMatchObject({
      value: '%x',
      ignoreCase: true,
    });
    expect(normalizeWhere(authors, { username: contains('_') })).toMatchObject({ value: '%\\_%' });
    expect(normalizeWhere(authors, { username: eq('Ada', { ignoreCase: true }) })).toEqual(
      cmp(['username'], 'eq', 'Ada', 'string', true),
    );
  });

  it('combines with and, or and not', () => {
    const where = or<NwAuthor>({ username: 'a' }, and({ age: gt(1) }, not({ active: true })));
    expect(normalizeWhere(authors, where)).toEqual({
      kind: 'or',
      items: [
        cmp(['username'], 'eq', 'a', 'string'),
        {
          kind: 'and',
          items: [
            cmp(['age'], 'gt', 1, 'integer'),
            { kind: 'not', item: cmp(['active'], 'eq', true, 'boolean') },
          ],
        },
      ],
    });
    expect(normalizeWhere(authors, or())).toEqual({ kind: 'or', items: [] });
    expect(normalizeWhere(authors, and({ id: 1 }))).toEqual(cmp(['id'], 'eq', 1, 'integer'));
  });

  it('follows to-one relations by path, and compares a relation with its target or key', () => {
    expect(normalizeWhere(posts, { author: { username: 'ada', mentor: { age: gt(3) } } })).toEqual({
      kind: 'and',
      items: [
        cmp(['author', 'username'], 'eq', 'ada', 'string'),
        cmp(['author', 'mentor', 'age'], 'gt', 3, 'integer'),
      ],
    });
    expect(normalizeWhere(posts, { author: 7 })).toEqual(cmp(['author'], 'eq', 7, 'integer'));
    const ada = Object.assign(new NwAuthor(), { id: 4 });
    expect(normalizeWhere(posts, { author: ada })).toEqual(cmp(['author'], 'eq', 4, 'integer'));
    expect(normalizeWhere(posts, { author: isIn([1, 2]) })).toMatchObject({ op: 'isIn', path: ['author'] });
    expect(normalizeWhere(authors, { mentor: isNull() })).toMatchObject({ op: 'isNull', path: ['mentor'] });
    expect(normalizeWhere(posts, { author: or({ id: 1 }, { id: 2 }) })).toEqual({
      kind: 'or',
      items: [cmp(['author', 'id'], 'eq', 1, 'integer'), cmp(['author', 'id'], 'eq', 2, 'integer')],
    });
  });

  it('turns a to-many condition into "some related row matches"', () => {
    expect(normalizeWhere(authors, { posts: { title: 'x', id: gt(1) } })).toEqual({
      kind: 'some',
      path: ['posts'],
      where: { kind: 'and', items: [cmp(['title'], 'eq', 'x', 'string'), cmp(['id'], 'gt', 1, 'integer')] },
    });
    expect(normalizeWhere(posts, { author: { posts: { title: 'y' } } })).toEqual({
      kind: 'some',
      path: ['author', 'posts'],
      where: cmp(['title'], 'eq', 'y', 'string'),
    });
  });

  it('freezes operators: later changes to the array given to isIn do not change the query', () => {
    const ids = [1, 2];
    const op = isIn(ids);
    ids.push(3);
    expect(normalizeWhere(authors, { id: op })).toMatchObject({ value: [1, 2] });
    expect(Object.isFrozen(op)).toBe(true);
  });
});

describe('normalizeWhere refuses', () => {
  const refuses = (
    where: unknown,
    Err: typeof InvalidArgumentError | typeof UnknownFieldError,
    text?: RegExp,
  ) => {
    let error: unknown;
    try {
      normalizeWhere(authors, where);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Err);
    if (text) expect((error as Error).message).toMatch(text);
  };

  it('unknown fields, __proto__ and constructor included', () => {
    refuses({ emial: 'x' }, UnknownFieldError, /no field "emial"/);
    refuses(JSON.parse('{"__proto__": {"$gt": 1}}'), UnknownFieldError, /__proto__/);
    refuses({ constructor: 'x' }, UnknownFieldError);
    refuses({ posts: { nope: 1 } }, UnknownFieldError);
    refuses({ mentor: { $or: [] } }, UnknownFieldError);
  });

  it('operator-shaped objects where a value is expected', () => {
    refuses({ age: { $gt: 1 } }, InvalidArgumentError, /NwAuthor\.age .*plain object.*gt\(…\)/);
    refuses({ age: { op: 'gt', value: 1 } }, InvalidArgumentError, /operator such as gt/);
    refuses(
      JSON.parse('{"username": {"op": "like", "value": "%", "ignoreCase": true}}'),
      InvalidArgumentError,
    );
    refuses({ username: Object.create(Operator.prototype) }, InvalidArgumentError);
    refuses({ username: Object.create(WhereGroup.prototype) }, InvalidArgumentError);
    refuses({ id: [1, 2] }, InvalidArgumentError, /an array/);
    refuses({ mentor: [1] }, InvalidArgumentError);
    refuses({ posts: 1 }, InvalidArgumentError, /to-many/);
  });

  it('forged groups and non-object wheres', () => {
    refuses({ kind: 'or', items: [] }, UnknownFieldError);
    refuses([{ id: 1 }], InvalidArgumentError, /and\(…\) or or\(…\)/);
    refuses('id = 1', InvalidArgumentError);
    refuses(null, InvalidArgumentError);
    refuses(new NwAuthor(), InvalidArgumentError);
  });

  it('operators given the wrong operands', () => {
    refuses({ age: (between as (a: unknown) => unknown)(1) }, InvalidArgumentError, /both bounds/);
    refuses({ age: isIn(1 as never) }, InvalidArgumentError, /array/);
    refuses({ age: isIn([1, null] as never) }, InvalidArgumentError, /null/);
    refuses({ username: like(5 as never) }, InvalidArgumentError, /takes a string/);
    refuses({ age: like('1%') }, InvalidArgumentError, /string and text columns/);
    refuses({ token: startsWith('a') }, InvalidArgumentError, /uuid column/);
    refuses({ active: gt(true) }, InvalidArgumentError, /boolean/);
    refuses({ age: gt(null) }, InvalidArgumentError, /isNull/);
    refuses({ age: eq('1' as never, { ignoreCase: true }) }, InvalidArgumentError);
  });

  it('values of the wrong type, undefined, NaN, invalid dates, json columns', () => {
    refuses({ age: '1' }, InvalidArgumentError, /integer column.*"1"/);
    refuses({ age: Number.NaN }, InvalidArgumentError, /finite/);
    refuses({ age: undefined }, InvalidArgumentError, /undefined/);
    refuses({ joined: new Date('nope') }, InvalidArgumentError, /invalid Date/);
    refuses({ joined: '2026-01-01' }, InvalidArgumentError, /valid Date/);
    refuses({ token: 'not-a-uuid' }, InvalidArgumentError, /uuid/);
    refuses({ settings: { a: 1 } }, InvalidArgumentError, /json column/);
    refuses({ active: 'true' }, InvalidArgumentError);
    refuses({ username: 1 }, InvalidArgumentError);
    refuses({ mentor: 'x' }, InvalidArgumentError, /integer/);
    refuses({ mentor: new NwAuthor() }, InvalidArgumentError, /no id yet/);
  });

  it('conditions nested deeper than the limit', () => {
    let where: Record<string, unknown> = { id: 1 };
    for (let i = 0; i < 40; i++) where = { mentor: where };
    refuses(where, InvalidArgumentError, /deeper/);
  });
});

describe('operators', () => {
  it('cannot be made with new, and only the functions make them', () => {
    expect(
      () => new (Operator as unknown as new (...a: unknown[]) => unknown)(Symbol('x'), 'gt', 1, false),
    ).toThrow(TypeError);
    expect(Operator.is(gt(1))).toBe(true);
    expect(Operator.is({ op: 'gt', value: 1, ignoreCase: false })).toBe(false);
    expect(Operator.is(Object.create(Operator.prototype))).toBe(false);
    expect(WhereGroup.is(or())).toBe(true);
    expect(WhereGroup.is({ kind: 'or', items: [] })).toBe(false);
  });
});

describe('normalizeOrderBy, normalizePopulate, normalizeSelect', () => {
  it('orders by fields in order, through to-one relations', () => {
    expect(normalizeOrderBy(posts, { author: { username: 'asc' }, id: 'desc' })).toEqual([
      { path: ['author', 'username'], direction: 'asc', type: 'string' },
      { path: ['id'], direction: 'desc', type: 'integer' },
    ]);
    expect(normalizeOrderBy(posts, [{ title: 'asc' }, { id: 'asc' }])).toHaveLength(2);
    expect(normalizeOrderBy(posts, { author: 'asc' })).toEqual([
      { path: ['author'], direction: 'asc', type: 'integer' },
    ]);
  });

  it('refuses unknown fields, directions and to-many relations', () => {
    expect(() => normalizeOrderBy(posts, { nope: 'asc' })).toThrow(UnknownFieldError);
    expect(() => normalizeOrderBy(posts, { id: 'ASC; drop table x' })).toThrow(InvalidArgumentError);
    expect(() => normalizeOrderBy(authors, { posts: { id: 'asc' } })).toThrow(/to-many/);
    expect(() => normalizeOrderBy(authors, { settings: 'asc' })).toThrow(/json/);
    expect(() => normalizeOrderBy(authors, 'id')).toThrow(InvalidArgumentError);
    expect(() => normalizeOrderBy(authors, [{ id: 'asc' }, { id: 'desc' }])).toThrow(/twice/);
  });

  it('checks populate paths and select fields', () => {
    expect(normalizePopulate(posts, ['author', 'author.posts', 'author'])).toEqual([
      'author',
      'author.posts',
    ]);
    expect(() => normalizePopulate(posts, ['title'])).toThrow(/column, not a relation/);
    expect(() => normalizePopulate(posts, ['author.nope'])).toThrow(UnknownFieldError);
    expect(() => normalizePopulate(posts, 'author')).toThrow(InvalidArgumentError);
    expect(normalizeSelect(posts, ['title'])).toEqual(['id', 'title']);
    expect(() => normalizeSelect(authors, ['posts'])).toThrow(/populate/);
    expect(() => normalizeSelect(authors, [])).toThrow(InvalidArgumentError);
    expect(() => normalizeSelect(authors, ['nope'])).toThrow(UnknownFieldError);
  });
});
