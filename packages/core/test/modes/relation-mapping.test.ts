import {
  column,
  embeddable,
  embedded,
  entity,
  id,
  index,
  type Many,
  MappingError,
  many,
  manyToMany,
  manyToOne,
  oneToMany,
  oneToOne,
  resolveEntities,
  table,
  unique,
} from '@kosha/core';
import { describe, expect, it } from 'vitest';

// Written anyway (JavaScript, or a cast), a called-only decorator applied bare.
type AnyDecorator = (...args: any[]) => any;
const asAny = (d: unknown) => d as AnyDecorator;

function mappingError(classes: Parameters<typeof resolveEntities>[0]): string {
  try {
    resolveEntities(classes);
  } catch (error) {
    expect(error).toBeInstanceOf(MappingError);
    return (error as Error).message;
  }
  throw new Error('expected a MappingError');
}

describe('@manyToMany and @oneToOne', () => {
  it('settle the owning side (the one without inverse) and link both sides', () => {
    @entity
    class Tag1 {
      @id() id!: number;
      @manyToMany(() => Post1, { inverse: 'tags' }) posts: Many<Post1> = many(this);
      @oneToOne(() => Post1, { inverse: 'cover' }) coverOf?: Post1;
    }
    @entity
    class Post1 {
      @id() id!: number;
      @manyToMany(() => Tag1, { table: 'post_tags', cascade: ['persist', 'remove'] }) tags: Many<Tag1> =
        many(this);
      @oneToOne(() => Tag1, { nullable: true, onDelete: 'set null' }) cover!: Tag1 | null;
    }
    const [tag, post] = resolveEntities([Tag1, Post1]);
    const p = (m: typeof tag, n: string) => m!.properties.find((x) => x.name === n)!;
    expect(p(post, 'tags')).toMatchObject({ kind: 'manyToMany', owner: true, inversedBy: 'posts' });
    expect(p(post, 'tags').options).toMatchObject({ table: 'post_tags', cascade: ['persist', 'remove'] });
    expect(p(tag, 'posts')).toMatchObject({ kind: 'manyToMany', owner: false, mappedBy: 'tags' });
    expect(p(post, 'cover')).toMatchObject({ kind: 'oneToOne', owner: true, columnName: 'cover_id' });
    expect(p(tag, 'coverOf')).toMatchObject({ kind: 'oneToOne', owner: false, mappedBy: 'cover' });
    expect([...post!.fieldNames]).toEqual(['id', 'cover']);
    expect([...tag!.fieldNames]).toEqual(['id']);
  });

  it('refuses a manyToMany to a class that is not an entity, naming the entity and property', () => {
    class NotEntity {}
    @entity
    class Post2 {
      @id() id!: number;
      @manyToMany(() => NotEntity) tags: Many<object> = many(this);
    }
    expect(mappingError([Post2])).toMatch(
      /Post2\.tags refers to NotEntity.*decorate it with @entity.*the target of a @manyToMany/,
    );
  });

  it('refuses two owners of one relation', () => {
    @entity
    class Tag3 {
      @id() id!: number;
      @manyToMany(() => Post3, { owner: true, inverse: 'tags' }) posts: Many<Post3> = many(this);
    }
    @entity
    class Post3 {
      @id() id!: number;
      @manyToMany(() => Tag3, { owner: true, inverse: 'posts' }) tags: Many<Tag3> = many(this);
    }
    expect(mappingError([Tag3, Post3])).toMatch(
      /Post3\.tags and Tag3\.posts both own one @manyToMany: only one side holds the pivot table\. Give the other side `inverse/,
    );
  });

  it('refuses both sides inverse', () => {
    @entity
    class User4 {
      @id() id!: number;
      @oneToOne(() => Profile4, { inverse: 'user' }) profile?: Profile4;
    }
    @entity
    class Profile4 {
      @id() id!: number;
      @oneToOne(() => User4, { inverse: 'profile' }) user?: User4;
    }
    expect(mappingError([User4, Profile4])).toMatch(
      /Profile4\.user and User4\.profile are both inverse sides of one @oneToOne: remove `inverse`/,
    );
  });

  it('refuses an inverse naming a property the target does not have', () => {
    @entity
    class Tag5 {
      @id() id!: number;
      @manyToMany(() => Post5, { inverse: 'tagz' }) posts: Many<Post5> = many(this);
    }
    @entity
    class Post5 {
      @id() id!: number;
      @manyToMany(() => Tag5) tags: Many<Tag5> = many(this);
    }
    expect(mappingError([Tag5, Post5])).toMatch(
      /Tag5\.posts: inverse 'tagz' names no property of Post5: name the owning @manyToMany property of Post5 \(its @manyToMany properties: tags\)/,
    );
  });

  it('refuses an inverse naming a property of another kind', () => {
    @entity
    class Tag6 {
      @id() id!: number;
      @manyToMany(() => Post6, { inverse: 'tag' }) posts: Many<Post6> = many(this);
    }
    @entity
    class Post6 {
      @id() id!: number;
      @manyToOne(() => Tag6) tag!: Tag6;
    }
    expect(mappingError([Tag6, Post6])).toMatch(
      /Tag6\.posts: inverse 'tag' names Post6\.tag, a @manyToOne, not a @manyToMany/,
    );
  });

  it('refuses owner-only options on the inverse side, and orphanRemoval on a manyToMany', () => {
    @entity
    class Tag7 {
      @id() id!: number;
      @manyToMany(() => Post7, { inverse: 'tags', table: 'x' }) posts: Many<Post7> = many(this);
    }
    @entity
    class Post7 {
      @id() id!: number;
      @manyToMany(() => Tag7) tags: Many<Tag7> = many(this);
    }
    expect(mappingError([Tag7, Post7])).toMatch(
      /Tag7\.posts: table belongs on the owning side.*move it to tags's @manyToMany/,
    );
    expect(() => manyToMany(() => Tag7, { orphanRemoval: true } as never)).toThrow(
      /@manyToMany has no orphanRemoval/,
    );
    expect(() => oneToMany(() => Tag7, 'x', { cascade: ['merge'] as never })).toThrow(
      /cascade is a list of 'persist' and 'remove'/,
    );
  });

  it('refuse a bare application', () => {
    expect(() => {
      class Bare {
        @asAny(manyToMany) tags!: unknown;
      }
      return Bare;
    }).toThrow(/@manyToMany must be called with its target/);
  });
});

describe('@unique and @index on the class', () => {
  it('record the property lists in any order with @entity and @table', () => {
    @unique(['name', 'country'], { name: 'uq_name_country' })
    @entity
    @index(['country'])
    @table('constraint_people')
    class Person8 {
      @id() id!: number;
      @column({ type: 'string' }) name!: string;
      @column({ type: 'string' }) country!: string;
    }
    const [meta] = resolveEntities([Person8]);
    expect(meta!.tableName).toBe('constraint_people');
    expect(meta!.constraints).toEqual([
      { kind: 'unique', properties: ['name', 'country'], name: 'uq_name_country' },
      { kind: 'index', properties: ['country'], name: undefined },
    ]);
  });

  it('refuse an unknown property and a to-many relation, naming the entity', () => {
    @entity
    @unique(['name', 'contry'])
    @index(['posts'])
    class Person9 {
      @id() id!: number;
      @column({ type: 'string' }) name!: string;
      @oneToMany(() => Person9, 'id') posts: Many<Person9> = many(this);
    }
    const message = mappingError([Person9]);
    expect(message).toMatch(
      /Person9: @unique\(\['name', 'contry'\]\) names contry, which is not a property of Person9 \(it has: id, name, posts\): fix the name/,
    );
    expect(message).toMatch(/Person9: @index\(\['posts'\]\) names posts, a to-many relation/);
  });

  it('refuse a bare or misplaced application', () => {
    expect(() => unique([] as never)).toThrow(/non-empty list of property names/);
    expect(() => {
      @asAny(unique)
      class Bare {}
      return Bare;
    }).toThrow(/@unique must be called with the property names/);
  });
});

describe('@embeddable and @embedded', () => {
  it('embed the columns with a prefix', () => {
    @embeddable
    class Address10 {
      @column({ type: 'string' }) city!: string;
    }
    @entity
    class Shop10 {
      @id() id!: number;
      @embedded(() => Address10) address!: Address10;
      @embedded(() => Address10, { prefix: 'billing_' }) billing!: Address10;
      @embedded(() => Address10, { prefix: false }) plain!: Address10;
    }
    const [shop] = resolveEntities([Shop10]);
    const cols = shop!.properties.map((p) => [p.name, p.kind, p.columnName]);
    expect(cols).toEqual([
      ['id', 'id', 'id'],
      ['address', 'embedded', 'address_'],
      ['billing', 'embedded', 'billing_'],
      ['plain', 'embedded', ''],
    ]);
  });

  it('refuse an embedded target that is not @embeddable, and an embeddable with a relation', () => {
    class Plain {}
    @entity
    class Other11 {
      @id() id!: number;
    }
    @embeddable
    class BadAddress11 {
      @manyToOne(() => Other11) other!: Other11;
    }
    @entity
    class Shop11 {
      @id() id!: number;
      @embedded(() => Plain) a!: Plain;
      @embedded(() => Other11) b!: Other11;
      @embedded(() => BadAddress11) c!: BadAddress11;
    }
    const message = mappingError([Other11, Shop11]);
    expect(message).toMatch(
      /Shop11\.a is @embedded\(\(\) => Plain\), which is not an @embeddable: decorate it with @embeddable/,
    );
    expect(message).toMatch(
      /Shop11\.b is @embedded\(\(\) => Other11\), which is not an @embeddable \(it is an @entity/,
    );
    expect(message).toMatch(
      /BadAddress11\.other: an @embeddable holds @column properties only, not @manyToOne/,
    );
  });

  it('an @embeddable is not reported as a class that forgot @entity', () => {
    @embeddable
    class Address12 {
      @column({ type: 'string' }) city!: string;
    }
    @entity
    class Shop12 {
      @id() id!: number;
      @embedded(() => Address12) address!: Address12;
    }
    expect(() => resolveEntities([Shop12])).not.toThrow();
  });
});

describe('many(this)', () => {
  it('gives a new entity an empty, loaded Many that add and remove change', () => {
    @entity
    class Tag13 {
      @id() id!: number;
    }
    @entity
    class Post13 {
      @id() id!: number;
      @manyToMany(() => Tag13) tags: Many<Tag13> = many(this);
    }
    const post = new Post13();
    const [a, b] = [new Tag13(), new Tag13()];
    expect(post.tags.isLoaded).toBe(true);
    post.tags.add(a, b, a);
    expect(post.tags.count()).toBe(2);
    post.tags.remove(a);
    expect([...post.tags]).toEqual([b]);
    expect(post.tags.items).toEqual([b]);
    expect(post.tags.length).toBe(1);
  });
});
