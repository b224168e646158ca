// The schema the new mapping makes, read back from each database's catalog: the class-level @unique and
// @index, the pivot table of a @manyToMany, the unique foreign key of a @oneToOne, embedded columns; and
// the relations working in both decorator modes (the conformance suite runs in legacy mode only).
import {
  column,
  createKosha,
  DbRepo,
  embeddable,
  embedded,
  entity,
  id,
  index,
  type Kosha,
  type Many,
  many,
  manyToMany,
  oneToOne,
  table,
  unique,
} from '@kosha/core';
import { Collection } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mikroOrm } from '../../src/index.js';
import { DATABASES, emptyDatabase } from '../support/databases.js';

@embeddable
class RsAddress {
  @column({ type: 'string', length: 40 }) city!: string;
}

@entity
@table('rs_tag')
class RsTag {
  @id() id!: number;
  @column({ type: 'string', length: 40 }) name!: string;
  @manyToMany(() => RsPost, { inverse: 'tags' }) posts: Many<RsPost> = many(this);
}

@index(['slug', 'lang'], { name: 'rs_post_slug_lang_idx' })
@entity
@unique(['lang', 'slug'], { name: 'rs_post_lang_slug_uq' })
@table('rs_post')
class RsPost {
  @id() id!: number;
  @column({ type: 'string', length: 40 }) slug!: string;
  @column({ type: 'string', length: 2 }) lang!: string;
  @manyToMany(() => RsTag, { table: 'rs_post_tags' }) tags: Many<RsTag> = many(this);
  @oneToOne(() => RsTag, { nullable: true, name: 'cover_tag_id' }) cover!: RsTag | null;
  @embedded(() => RsAddress, { prefix: 'place_' }) place!: RsAddress;
}

const CATALOG: Record<string, { indexes: string; columns: string }> = {
  sqlite: {
    indexes: 'select name from pragma_index_list(?)',
    columns: 'select name from pragma_table_info(?)',
  },
  postgresql: {
    indexes: 'select indexname as name from pg_indexes where tablename = ?',
    columns: 'select column_name as name from information_schema.columns where table_name = ?',
  },
  mariadb: {
    indexes:
      'select distinct index_name as name from information_schema.statistics where table_schema = database() and table_name = ?',
    columns:
      'select column_name as name from information_schema.columns where table_schema = database() and table_name = ?',
  },
};

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`relation mapping on ${db.name}`, () => {
    let kosha: Kosha;
    let drop: (() => Promise<void>) | undefined;
    let posts: DbRepo<RsPost>;
    let tags: DbRepo<RsTag>;

    beforeAll(async () => {
      const url =
        db.dialect === 'sqlite'
          ? 'sqlite::memory:'
          : await emptyDatabase(db).then((d) => {
              drop = d.drop;
              return d.url;
            });
      kosha = await createKosha({
        orm: mikroOrm({ url }),
        entities: [RsTag, RsPost],
        setDefault: false,
        cache: false,
      });
      await kosha.schema.create();
      posts = new (class extends DbRepo<RsPost> {})(RsPost, kosha);
      tags = new (class extends DbRepo<RsTag> {})(RsTag, kosha);
    });
    afterAll(async () => {
      await kosha?.close();
      await drop?.();
    });

    const catalog = async (what: 'indexes' | 'columns', tableName: string) => {
      const rows = await kosha.transaction(() => posts.em.execute(CATALOG[db.dialect]![what], [tableName]));
      return (rows as { name: string }[]).map((r) => r.name.toLowerCase()).sort();
    };

    it('creates the class-level unique constraint and index under their names', async () => {
      const names = await catalog('indexes', 'rs_post');
      expect(names).toContain('rs_post_slug_lang_idx');
      expect(names).toContain('rs_post_lang_slug_uq');
    });

    it('creates the pivot table, the one-to-one foreign key and the embedded columns', async () => {
      expect(await catalog('columns', 'rs_post_tags')).toEqual(['rs_post_id', 'rs_tag_id']);
      const columns = await catalog('columns', 'rs_post');
      expect(columns).toEqual(['cover_tag_id', 'id', 'lang', 'place_city', 'slug']);
    });

    it('gives a new entity a MikroORM Collection from many(this), which add and populate use', async () => {
      const [a, b] = await tags.insertAll([{ name: 'a' }, { name: 'b' }]);
      const post = Object.assign(new RsPost(), {
        slug: 's',
        lang: 'en',
        cover: a!,
        place: { city: 'Delft' },
      });
      expect(post.tags).toBeInstanceOf(Collection);
      post.tags.add(a!, b!);
      await posts.insertAll([post]);
      const read = await posts.findOne({ id: post.id }, { populate: ['tags', 'cover'] });
      expect([...read!.tags].map((t) => t.name).sort()).toEqual(['a', 'b']);
      expect(read!.cover!.name).toBe('a');
      expect(read!.place.city).toBe('Delft');
      const byTag = await tags.find({ where: { posts: { slug: 's' } }, orderBy: { name: 'asc' } });
      expect(byTag.map((t) => t.name)).toEqual(['a', 'b']);
    });
  });
}
