import {
  column,
  createdAt,
  entity,
  id,
  MappingError,
  manyToOne,
  metadataOf,
  oneToMany,
  resolveEntities,
  table,
  updatedAt,
  version,
} from '@kosha/core';
import { describe, expect, it } from 'vitest';

@entity
@table('mapping_users')
class MappingUser {
  @id({ autoincrement: true }) id!: number;
  @column({ type: 'string', length: 100 }) name!: string;
  @column({ type: 'string', length: 255, unique: true, name: 'email_address' }) email!: string;
  @version() version!: number;
  @createdAt() createdAt!: Date;
  @updatedAt() updatedAt!: Date;
  @oneToMany(() => MappingPost, 'author') posts!: MappingPost[];
}

@table('mapping_posts')
@entity
class MappingPost {
  @id id!: number;
  @column({ type: 'text' }) body!: string;
  @manyToOne(() => MappingUser, { eager: true }) author!: MappingUser;
}

@entity
class BlogCategoryItem {
  @id({ type: 'uuid' }) id!: string;
}

describe('mapping decorators', () => {
  it('collect columns, ids, versioning, auditing and relations', () => {
    const [user, post] = resolveEntities([MappingUser, MappingPost]);
    expect(user!.tableName).toBe('mapping_users');
    expect(user!.primaryKey).toMatchObject({ name: 'id', type: 'integer', options: { autoincrement: true } });
    const byName = Object.fromEntries(user!.properties.map((p) => [p.name, p]));
    expect(byName.email).toMatchObject({ kind: 'column', type: 'string', columnName: 'email_address' });
    expect(byName.createdAt).toMatchObject({ kind: 'createdAt', type: 'datetime', columnName: 'created_at' });
    expect(byName.version).toMatchObject({ kind: 'version', type: 'integer' });
    expect(byName.posts).toMatchObject({ kind: 'oneToMany', mappedBy: 'author' });
    expect(user!.fieldNames.has('posts')).toBe(false);
    expect(post!.tableName).toBe('mapping_posts');
    expect(post!.properties.find((p) => p.name === 'author')).toMatchObject({
      kind: 'manyToOne',
      columnName: 'author_id',
    });
  });

  it('defaults the table to the snake_case of the class name, and uuid ids are not generated', () => {
    const meta = metadataOf(BlogCategoryItem);
    expect(meta.tableName).toBe('blog_category_item');
    expect(meta.primaryKey.options.autoincrement).toBe(false);
  });

  it('@table without @entity is an error naming the class', () => {
    @table('orphans')
    class Orphan {
      @id() id!: number;
    }
    expect(() => resolveEntities([Orphan])).toThrow(MappingError);
    expect(() => resolveEntities([Orphan])).toThrow(/Orphan has @table but no @entity/);
  });

  it('an entity without @id is an error naming the class', () => {
    @entity
    class NoKey {
      @column({ type: 'string' }) name!: string;
    }
    expect(() => resolveEntities([NoKey])).toThrow(/NoKey has no @id/);
  });

  it('an unknown column type is an error naming the class, the property and the valid types', () => {
    @entity
    class Weird {
      @id() id!: number;
      @column({ type: 'varchar2' as 'string' }) name!: string;
    }
    expect(() => resolveEntities([Weird])).toThrow(
      /Weird\.name has unknown column type "varchar2".*string, text/,
    );
  });

  it('a column without a type says to give one', () => {
    @entity
    class Untyped {
      @id() id!: number;
      @column() price!: number;
    }
    expect(() => resolveEntities([Untyped])).toThrow(/Untyped\.price has no column type/);
  });

  it('two entities on one table is an error naming both', () => {
    @entity
    @table('shared_table')
    class First {
      @id() id!: number;
    }
    @entity
    @table('shared_table')
    class Second {
      @id() id!: number;
    }
    expect(() => resolveEntities([First, Second])).toThrow(
      /First and Second are both mapped to table "shared_table"/,
    );
  });

  it('a relation to a class outside the entity set is an error', () => {
    class NotAnEntity {}
    @entity
    class Dangling {
      @id() id!: number;
      @manyToOne(() => NotAnEntity as never) other!: unknown;
    }
    expect(() => resolveEntities([Dangling])).toThrow(/Dangling\.other refers to NotAnEntity/);
  });

  it('inherits mapped properties from a base class', () => {
    abstract class Audited {
      @id() id!: number;
      @createdAt() createdAt!: Date;
    }
    @entity
    class Invoice extends Audited {
      @column({ type: 'decimal', precision: 10, scale: 2 }) total!: string;
    }
    const meta = metadataOf(Invoice);
    expect(meta.properties.map((p) => p.name)).toEqual(['id', 'createdAt', 'total']);
  });

  it('@column on a method is refused', () => {
    expect(() => {
      class Bad {
        @column({ type: 'string' }) method() {}
      }
      return Bad;
    }).toThrow();
  });
});
