// DbRepo's queries are typed by the entity: where keys and values, select → Pick, populate paths, Page/Slice.
import { DbRepo, gte, isIn, like, or, type Page, type Slice } from '@kosha/core';
import { describe, expectTypeOf, it } from 'vitest';

class Profile {
  id!: number;
  bio!: string | null;
}

class User {
  id!: number;
  name!: string;
  email!: string;
  status!: 'active' | 'blocked';
  age!: number | null;
  createdAt!: Date;
  profile!: Profile | null;
  articles!: Article[];
}

class Article {
  id!: number;
  title!: string;
  author!: User;
}

class Users extends DbRepo<User> {}
class Articles extends DbRepo<Article> {}
declare const users: Users;
declare const articles: Articles;

describe('find', () => {
  it('returns entities, or Pick<T, selected | primary key> with select', () => {
    expectTypeOf(
      users.find({ where: { status: 'active', age: gte(18) }, orderBy: { name: 'asc' }, limit: 20 }),
    ).resolves.toEqualTypeOf<User[]>();
    expectTypeOf(users.find({ select: ['name', 'email'] })).resolves.toEqualTypeOf<
      Pick<User, 'id' | 'name' | 'email'>[]
    >();
    expectTypeOf(users.find()).resolves.toEqualTypeOf<User[]>();
    expectTypeOf(
      users.find({ where: or({ email: like('%@x.io') }, { id: isIn([1, 2]) }), select: ['id', 'name'] }),
    ).resolves.toEqualTypeOf<Pick<User, 'id' | 'name'>[]>();
  });

  it('types populate as relation paths and orderBy through relations', () => {
    expectTypeOf(articles.find).toBeCallableWith({
      where: { author: { name: 'ada' } },
      populate: ['author', 'author.profile', 'author.articles'],
      orderBy: [{ author: { name: 'asc' } }, { id: 'desc' }],
    });
    // @ts-expect-error: title is a column, not a relation
    articles.find({ populate: ['title'] });
    // @ts-expect-error: no such relation
    articles.find({ populate: ['author.team'] });
  });

  it('does not compile with a misspelt field, in where, orderBy or select', () => {
    // @ts-expect-error: emial is not a field of User
    users.find({ where: { emial: 'x' } });
    // @ts-expect-error: nmae is not a field of User
    users.find({ orderBy: { nmae: 'asc' } });
    // @ts-expect-error: nmae is not a field of User
    users.find({ select: ['nmae'] });
    // @ts-expect-error: the age is a number
    users.count({ age: 'old' });
  });
});

describe('findOne, count, exists, findPage, findSlice', () => {
  it('are typed by the entity', () => {
    expectTypeOf(users.findOne({ email: 'ada@example.com' })).resolves.toEqualTypeOf<User | null>();
    expectTypeOf(users.findOne({ email: 'a' }, { select: ['name'] })).resolves.toEqualTypeOf<Pick<
      User,
      'id' | 'name'
    > | null>();
    expectTypeOf(users.count({ status: 'active' })).resolves.toBeNumber();
    expectTypeOf(users.count()).resolves.toBeNumber();
    expectTypeOf(users.exists({ email: 'x' })).resolves.toBeBoolean();
    expectTypeOf(users.exists(7)).resolves.toBeBoolean();
    expectTypeOf(
      users.findPage({ page: 0, size: 20, sort: { createdAt: 'desc' } }, { status: 'active' }),
    ).resolves.toEqualTypeOf<Page<User>>();
    expectTypeOf(
      users.findSlice({ size: 20, sort: { createdAt: 'desc' }, after: null }),
    ).resolves.toEqualTypeOf<Slice<User>>();
    expectTypeOf<Slice<User>['next']>().toEqualTypeOf<string | null>();
    // @ts-expect-error: an id is a number
    users.exists('7');
    // @ts-expect-error: a page needs its size
    users.findPage({ page: 0 });
  });
});
