// insertAll takes rows with the entity's required fields; ids are typed by the entity's primary key.
import {
  DbRepo,
  type InsertRow,
  type Opt,
  OptionalProps,
  type PrimaryKey,
  PrimaryKeyProp,
  type Where,
} from '@kosha/core';
import { describe, expectTypeOf, it } from 'vitest';

class Team {
  id!: number;
  name!: string;
}

class User {
  declare [OptionalProps]?: 'createdAt' | 'status';
  id!: number;
  name!: string;
  email!: string;
  status!: 'active' | 'blocked'; // a column with a default
  bio?: string; // optional
  nickname!: string | null; // nullable
  team!: Team; // a required relation
  mentor!: User | null; // a nullable relation
  posts!: Post[]; // a to-many collection
  tags!: Iterable<Team>;
  version!: Opt<number>;
  createdAt!: Date;
  greet(): string {
    return `hi ${this.name}`;
  }
}

class Post {
  id!: number;
  title!: string;
}

class Country {
  declare [PrimaryKeyProp]?: 'code';
  code!: string;
  name!: string;
}

class Keyless {
  ref!: string;
}

class Users extends DbRepo<User> {}
class Countries extends DbRepo<Country> {}
class Keylesses extends DbRepo<Keyless> {}

declare const users: Users;
declare const countries: Countries;
declare const keyless: Keylesses;
declare const team: Team;

describe('insertAll', () => {
  it('requires the columns without a default that are not nullable, not generated', () => {
    expectTypeOf<keyof InsertRow<User>>().toEqualTypeOf<
      | 'id'
      | 'name'
      | 'email'
      | 'status'
      | 'bio'
      | 'nickname'
      | 'team'
      | 'mentor'
      | 'posts'
      | 'tags'
      | 'version'
      | 'createdAt'
    >();
    expectTypeOf<{ name: string; email: string; team: Team }>().toExtend<InsertRow<User>>();
    expectTypeOf(users.insertAll).toBeCallableWith([{ name: 'Ada', email: 'ada@example.com', team }]);
    expectTypeOf(users.insertAll).returns.resolves.toEqualTypeOf<User[]>();
  });

  it('leaves out the key, optional, nullable, collection, [OptionalProps] and Opt<…> fields', () => {
    expectTypeOf(users.insertAll).toBeCallableWith([
      {
        id: 7,
        name: 'Ada',
        email: 'ada@example.com',
        team,
        status: 'blocked',
        bio: 'x',
        nickname: null,
        mentor: null,
        posts: [],
        version: 1,
        createdAt: new Date(),
      },
    ]);
  });

  it('refuses a row missing a required field, or with a field of the wrong type', () => {
    // @ts-expect-error: email is required (a string column without a default)
    users.insertAll([{ name: 'Ada', team }]);
    // @ts-expect-error: the relation is required (not nullable)
    users.insertAll([{ name: 'Ada', email: 'ada@example.com' }]);
    // @ts-expect-error: status is 'active' | 'blocked'
    users.insertAll([{ name: 'Ada', email: 'ada@example.com', team, status: 'gone' }]);
    // @ts-expect-error: not a field of User
    users.insertAll([{ name: 'Ada', email: 'ada@example.com', team, emial: 'x' }]);
  });

  it('takes entity instances too', () => {
    expectTypeOf(users.insertAll).toBeCallableWith([new User()]);
  });
});

describe('ids', () => {
  it('are typed by the `id` property', () => {
    expectTypeOf<PrimaryKey<User>>().toEqualTypeOf<number>();
    expectTypeOf(users.getById).parameter(0).toEqualTypeOf<number>();
    expectTypeOf(users.exists).parameter(0).toEqualTypeOf<number | Where<User>>(); // an id, or a condition
    expectTypeOf(users.delete).parameter(0).toEqualTypeOf<number>();
    // @ts-expect-error: the key is a number
    users.getById('42');
  });

  it('by the property [PrimaryKeyProp] names', () => {
    expectTypeOf<PrimaryKey<Country>>().toEqualTypeOf<string>();
    expectTypeOf(countries.getById).parameter(0).toEqualTypeOf<string>();
    // @ts-expect-error: the key is a string
    countries.getById(42);
  });

  it('as a key value, never any, when the type names no key', () => {
    expectTypeOf(keyless.getById).parameter(0).toEqualTypeOf<string | number | bigint>();
    // @ts-expect-error: an object is no key
    keyless.getById({ ref: 'x' });
  });

  it('refuse null and undefined', () => {
    // @ts-expect-error: null is no key
    users.getById(null);
    // @ts-expect-error: undefined is no key
    users.delete(undefined);
  });
});
