// Where<T>, OrderBy<T> and Populate<T> are typed by the entity: fields, value types, operator operands.
import {
  and,
  between,
  contains,
  eq,
  gt,
  gte,
  ilike,
  isIn,
  isNotNull,
  isNull,
  like,
  not,
  notIn,
  type OrderBy,
  or,
  type Populate,
  startsWith,
  type Where,
} from '@kosha/core';
import { describe, expectTypeOf, it } from 'vitest';

class Profile {
  id!: number;
  bio!: string | null;
}

class Author {
  id!: number;
  username!: string;
  status!: 'active' | 'blocked';
  age!: number | null;
  joined!: Date;
  profile!: Profile | null;
  posts!: Post[];
  greet(): string {
    return this.username;
  }
}

class Post {
  id!: number;
  title!: string;
  published!: boolean;
  author!: Author;
}

describe('Where<T>', () => {
  it('takes values and operators of each field type', () => {
    const ok: Where<Author>[] = [
      { username: 'ada', status: 'active', age: null },
      { age: gte(18), joined: gt(new Date()), id: isIn([1, 2]) },
      { status: isIn(['active']), username: like('%a'), age: between(1, 2) },
      { status: startsWith('act'), username: contains('x', { ignoreCase: true }) },
      { username: eq('Ada', { ignoreCase: true }), age: isNull(), profile: isNotNull() },
      { id: notIn([3]), username: ilike('A%') },
      or({ username: 'a' }, and({ age: gt(1) }, not({ status: 'blocked' }))),
    ];
    expectTypeOf(ok).toBeArray();
  });

  it('follows relations: nested where, the target, its key', () => {
    const ok: Where<Post>[] = [
      { author: { username: 'ada', profile: { bio: like('%x%') } } },
      { author: 1 },
      { author: new Author() },
      { author: isIn([1, 2]) },
      { author: { posts: { published: true } } },
      { author: or({ id: 1 }, { id: 2 }) },
    ];
    expectTypeOf(ok).toBeArray();
  });

  it('refuses unknown fields, wrong value types and operators on the wrong types', () => {
    // @ts-expect-error misspelt field
    const a: Where<Author> = { usrname: 'ada' };
    // @ts-expect-error a number field compared with a string
    const b: Where<Author> = { age: '18' };
    // @ts-expect-error gt over the wrong type
    const c: Where<Author> = { age: gt('18') };
    // @ts-expect-error like on a number field
    const d: Where<Author> = { age: like('1%') };
    // @ts-expect-error a literal union compared with another literal
    const e: Where<Author> = { status: eq('deleted') };
    // @ts-expect-error methods are not fields
    const f: Where<Author> = { greet: 'x' };
    // @ts-expect-error a nested where of the target checks the target's fields
    const g: Where<Post> = { author: { nope: 1 } };
    // @ts-expect-error null on a field that is not nullable
    const h: Where<Author> = { username: null };
    expectTypeOf([a, b, c, d, e, f, g, h]).toBeArray();
  });
});

describe('OrderBy<T> and Populate<T>', () => {
  it('orders by fields and through to-one relations', () => {
    const ok: OrderBy<Post> = { author: { username: 'asc' }, id: 'desc' };
    expectTypeOf(ok).toExtend<OrderBy<Post>>();
    // @ts-expect-error not a direction
    const bad: OrderBy<Post> = { id: 'up' };
    // @ts-expect-error not through a to-many relation
    const many: OrderBy<Author> = { posts: { id: 'asc' } };
    expectTypeOf([bad, many]).toBeArray();
  });

  it('lists the relation paths', () => {
    expectTypeOf<'author' | 'author.profile' | 'author.posts'>().toExtend<Populate<Post>>();
    expectTypeOf<'title'>().not.toExtend<Populate<Post>>();
    expectTypeOf<'author.username'>().not.toExtend<Populate<Post>>();
  });
});
