// Id<T>: the type of an entity's id, single or composite; relation fields take the related entity or its
// key (T | Id<T>) in rows, updates and filters. The entities are decorated, so this file also checks that
// `@id` stacks on a relation in both decorator modes.
import {
  column,
  DbRepo,
  entity,
  type Id,
  type IsCompositeKey,
  id,
  manyToOne,
  PrimaryKeyProp,
  type RelationValue,
  type Where,
} from '@kosha/core';
import { describe, expectTypeOf, it } from 'vitest';

@entity
class User {
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
}

@entity
class Article {
  declare [PrimaryKeyProp]?: 'slug';
  @id({ type: 'string' }) slug!: string;
  @manyToOne(() => User) author!: User;
  @manyToOne(() => User, { nullable: true }) editor!: User | null;
}

@entity
class Follow {
  declare [PrimaryKeyProp]?: ['follower', 'followee'];
  @id @manyToOne(() => User) follower!: User;
  @id @manyToOne(() => User) followee!: User;
  @column({ type: 'datetime' }) since!: Date;
}

@entity
class Slot {
  declare [PrimaryKeyProp]?: ['region', 'n'];
  @id({ type: 'string' }) region!: string;
  @id({ type: 'integer' }) n!: number;
}

class Users extends DbRepo<User> {}
class Articles extends DbRepo<Article> {}
class Follows extends DbRepo<Follow> {}
class Slots extends DbRepo<Slot> {}
declare const users: Users;
declare const articles: Articles;
declare const follows: Follows;
declare const slots: Slots;
declare const user: User;
declare const article: Article;

describe('Id<T>', () => {
  it('is the key property’s type for a single key', () => {
    expectTypeOf<Id<User>>().toEqualTypeOf<number>();
    expectTypeOf<Id<Article>>().toEqualTypeOf<string>();
    expectTypeOf<IsCompositeKey<User>>().toEqualTypeOf<false>();
  });

  it('is an object of the parts for a composite key, a relation part taking the key or the entity', () => {
    expectTypeOf<IsCompositeKey<Follow>>().toEqualTypeOf<true>();
    expectTypeOf<Id<Slot>>().toEqualTypeOf<{ region: string; n: number }>();
    expectTypeOf<Id<Follow>>().toEqualTypeOf<{ follower: number | User; followee: number | User }>();
  });

  it('is what getById, delete, exists and reference take', () => {
    expectTypeOf(follows.getById).parameter(0).toEqualTypeOf<Id<Follow>>();
    expectTypeOf(slots.delete).parameter(0).toEqualTypeOf<Id<Slot>>();
    expectTypeOf(follows.reference({ follower: 1, followee: user })).toEqualTypeOf<Follow>();
    expectTypeOf(users.reference(1)).toEqualTypeOf<User>();
    void slots.getById({ region: 'eu', n: 1 });
    void follows.exists({ follower: 1, followee: 2 });
    // @ts-expect-error a part is missing
    void slots.getById({ region: 'eu' });
    // @ts-expect-error a composite key is an object, not its first part
    void slots.getById('eu');
    // @ts-expect-error the parts are typed
    void slots.getById({ region: 'eu', n: '1' });
    // @ts-expect-error a number key is not a string
    void users.getById('1');
  });
});

describe('relation fields take T | Id<T>', () => {
  it('in findByField and findAllByField', () => {
    expectTypeOf<RelationValue<User>>().toEqualTypeOf<User | number>();
    expectTypeOf<RelationValue<User | null>>().toEqualTypeOf<User | null | number>();
    expectTypeOf<RelationValue<string>>().toEqualTypeOf<string>();
    void follows.findAllByField('follower', 7);
    void follows.findAllByField('follower', user);
    void articles.findByField('editor', null);
    // @ts-expect-error the related key is a number
    void follows.findAllByField('follower', '7');
  });

  it('in insertAll rows, where a composite key’s parts are required', () => {
    void follows.insertAll([{ follower: 1, followee: users.reference(2), since: new Date() }]);
    void articles.insertAll([{ slug: 'hi', author: 7, editor: null }]);
    // @ts-expect-error a composite key is given by the application: followee is required
    void follows.insertAll([{ follower: 1, since: new Date() }]);
    // @ts-expect-error the related key is a number
    void articles.insertAll([{ slug: 'hi', author: 'ada', editor: null }]);
  });

  it('in update, and in where', () => {
    void articles.update({ ...article, author: 7 });
    void articles.update(article);
    const where: Where<Follow> = { follower: 7, followee: user };
    void follows.find({ where });
    // @ts-expect-error the related key is a number
    const wrong: Where<Follow> = { follower: '7' };
    void wrong;
  });
});
