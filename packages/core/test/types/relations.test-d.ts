// The relation decorators and Many<T>, in both decorator modes (this file compiles once with TC39
// decorators and once with experimentalDecorators): entities import only @kosha/core, Many<T> is a to-many
// for Where, Populate and InsertRow, a one-to-one a to-one, an embedded value a nested condition.
import {
  column,
  type DbRepo,
  embeddable,
  embedded,
  entity,
  type InsertRow,
  id,
  index,
  isIn,
  type Many,
  many,
  manyToMany,
  manyToOne,
  type OrderBy,
  oneToMany,
  oneToOne,
  type Populate,
  type RelationFieldsOf,
  type RelationTarget,
  unique,
  type Where,
} from '@kosha/core';
import { describe, expectTypeOf, it } from 'vitest';

@embeddable
class Address {
  @column({ type: 'string' }) city!: string;
}

@entity
class Tag {
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
  @manyToMany(() => Article, { inverse: 'tags' }) articles: Many<Article> = many(this);
}

@entity
class Profile {
  @id() id!: number;
  @column({ type: 'string' }) bio!: string;
  @oneToOne(() => Author, { inverse: 'profile' }) author?: Author | null;
}

@entity
@unique(['name', 'country'], { name: 'author_name_country' })
@index(['country'])
class Author {
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
  @column({ type: 'string' }) country!: string;
  @oneToOne(() => Profile, { nullable: true, onDelete: 'set null' }) profile!: Profile | null;
  @embedded(() => Address, { prefix: 'home_' }) address!: Address;
  @oneToMany(() => Article, 'author', { cascade: ['persist', 'remove'], orphanRemoval: true })
  articles: Many<Article> = many(this);
}

@entity
class Article {
  @id() id!: number;
  @column({ type: 'string' }) title!: string;
  @manyToOne(() => Author, { onDelete: 'cascade' }) author!: Author;
  @manyToMany(() => Tag, { table: 'article_tags', cascade: ['persist'] }) tags: Many<Tag> = many(this);
}

describe('Many<T>', () => {
  it('is iterable over T and has items, isLoaded, length, load, add, remove, count', () => {
    const tags = new Article().tags;
    for (const tag of tags) expectTypeOf(tag).toEqualTypeOf<Tag>();
    expectTypeOf(tags.items).toEqualTypeOf<readonly Tag[]>();
    expectTypeOf(tags.isLoaded).toEqualTypeOf<boolean>();
    expectTypeOf(tags.length).toEqualTypeOf<number>();
    expectTypeOf(tags.count()).toEqualTypeOf<number>();
    expectTypeOf(tags.load()).resolves.toBeUnknown();
    tags.add(new Tag(), new Tag());
    tags.remove(new Tag());
    // @ts-expect-error: an Article is not a Tag
    tags.add(new Article());
  });

  it('many(this) is typed by the property it initialises', () => {
    expectTypeOf(many<Tag>({})).toEqualTypeOf<Many<Tag>>();
  });
});

describe('Where, OrderBy, Populate over the new kinds', () => {
  it('a Many is a to-many, a oneToOne a to-one, an embedded value a nested condition', () => {
    expectTypeOf<RelationTarget<Article['tags']>>().toEqualTypeOf<Tag>();
    expectTypeOf<RelationTarget<Author['profile']>>().toEqualTypeOf<Profile>();
    expectTypeOf<RelationTarget<Profile['author']>>().toEqualTypeOf<Author>();
    expectTypeOf<RelationFieldsOf<Article>>().toEqualTypeOf<'author' | 'tags'>();
  });

  it('filters through a many-to-many, both sides, with a nested where', () => {
    expectTypeOf<{ tags: { name: 'x' } }>().toExtend<Where<Article>>();
    expectTypeOf<{ articles: { title: string; author: { name: string } } }>().toExtend<Where<Tag>>();
    const where: Where<Article> = { tags: { name: isIn(['a', 'b']) } };
    void where;
    // @ts-expect-error: a to-many takes a condition on its rows, not a key
    const byKey: Where<Article> = { tags: 1 };
    // @ts-expect-error: Tag has no field `label`
    const misspelt: Where<Article> = { tags: { label: 'x' } };
    void [byKey, misspelt];
  });

  it('filters through a one-to-one by a nested where or the key, and through an embedded value', () => {
    expectTypeOf<{ profile: { bio: string } }>().toExtend<Where<Author>>();
    expectTypeOf<{ profile: number }>().toExtend<Where<Author>>();
    expectTypeOf<{ author: { name: string } }>().toExtend<Where<Profile>>();
    expectTypeOf<{ address: { city: string } }>().toExtend<Where<Author>>();
    // @ts-expect-error: city is a string
    const wrong: Where<Author> = { address: { city: 1 } };
    void wrong;
  });

  it('populates many-to-many and one-to-one paths, and orders through a one-to-one', () => {
    expectTypeOf<'tags' | 'tags.articles' | 'author.profile'>().toExtend<Populate<Article>>();
    expectTypeOf<'profile' | 'profile.author' | 'articles.tags'>().toExtend<Populate<Author>>();
    expectTypeOf<'title'>().not.toExtend<Populate<Article>>();
    expectTypeOf<{ profile: { bio: 'asc' }; address: { city: 'desc' } }>().toExtend<OrderBy<Author>>();
    expectTypeOf<{ tags: 'asc' }>().not.toExtend<OrderBy<Article>>();
  });
});

describe('InsertRow', () => {
  it('leaves the Many properties out of what a new row must give', () => {
    expectTypeOf<{ title: string; author: Author }>().toExtend<InsertRow<Article>>();
    expectTypeOf<{ name: string; country: string; profile: null; address: Address }>().toExtend<
      InsertRow<Author>
    >();
    expectTypeOf<{ title: string }>().not.toExtend<InsertRow<Article>>();
  });

  it('a repository of such an entity is typed by it', () => {
    expectTypeOf<Parameters<DbRepo<Article>['insertAll']>[0][number]>().toExtend<
      Article | InsertRow<Article>
    >();
  });
});
