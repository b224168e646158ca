import { cacheable, cacheEvict, DbRepo, repository, transactional } from '@kosha/core';
import { Tag } from './entities.js';

/** Tags, made on first use; the list of every tag name (`GET /api/tags`) is cached. */
@repository
export class TagRepo extends DbRepo<Tag> {
  constructor() {
    super(Tag);
  }

  /**
   * The tags of these names, created when missing, in one statement: an `INSERT … ON CONFLICT` the
   * database decides, so any number of concurrent article creations may share a new tag. Sorted, so
   * that two transactions upserting the same names lock their rows in the same order. A new tag
   * changes the cached list: evicted after the commit.
   */
  @transactional
  @cacheEvict({ keyPrefix: 'tags' })
  async ensure(names: readonly string[]): Promise<Tag[]> {
    const unique = [...new Set(names)].sort();
    if (unique.length === 0) return [];
    return this.upsert(
      unique.map((name) => ({ name })),
      { onConflict: ['name'], update: [] },
    );
  }

  @transactional({ readOnly: true })
  @cacheable({ keyPrefix: 'tags', key: () => 'all', ttl: 300 })
  async allNames(): Promise<string[]> {
    const tags = await this.find({ orderBy: { name: 'asc' } });
    return tags.map((t) => t.name);
  }
}
