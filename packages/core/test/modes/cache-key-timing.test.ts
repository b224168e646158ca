import {
  bindKosha,
  cacheEvict,
  cachePut,
  column,
  entity,
  InvalidArgumentError,
  id,
  type Kosha,
} from '@kosha/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { ControlledProvider, testKosha } from '../cache/harness.js';

@entity
class Tag {
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
}

/** A service whose methods count their calls: a call that never started has no side effect. */
class Tags {
  calls = 0;

  @cacheEvict({ keyPrefix: 'tag', key: (t: Tag) => t as never }) // a key function returning an object
  async save(_t: Tag) {
    this.calls++;
  }

  @cacheEvict({ keyPrefix: 'tag', allEntries: false }) // the key is the first argument
  async drop(_name: unknown) {
    this.calls++;
  }

  @cacheEvict({ keyPrefix: 'tag-by-name', key: (t: Tag) => t.name })
  async rename(t: Tag, name: string) {
    this.calls++;
    t.name = name;
  }

  @cachePut({ keyPrefix: 'tag' }) // the key is the first argument, computed after the call
  async store(_t: unknown) {
    this.calls++;
    return 'stored';
  }

  @cachePut({ keyPrefix: 'tag', key: (t: Tag) => t.id })
  async create(t: Tag) {
    this.calls++;
    t.id = 7; // as an insert assigns the id: the key function sees it
    return t;
  }
}

let kosha: Kosha;
let cache: ControlledProvider;
let tags: Tags;

beforeEach(async () => {
  cache = new ControlledProvider();
  ({ kosha } = await testKosha([Tag], cache));
  tags = bindKosha(new Tags(), kosha);
});

const tag = (name: string, tagId?: number) => Object.assign(new Tag(), { id: tagId, name });

describe('@cacheEvict computes its key from the arguments before the method runs', () => {
  it('a key that cannot be formed fails the call before the method ran', async () => {
    await expect(tags.save(tag('a', 1))).rejects.toThrow(InvalidArgumentError);
    await expect(tags.save(tag('a', 1))).rejects.toThrow(/The `key` function of cache "tag" returned object/);
    await expect(tags.drop(Symbol('a'))).rejects.toThrow(/A symbol cannot be part of a cache key/);
    await expect(tags.drop(() => 1)).rejects.toThrow(InvalidArgumentError);
    expect(tags.calls).toBe(0);
  });

  it('evicts the entry of the arguments as they were passed, even when the method changes them', async () => {
    await cache.inner.set('tag-by-name:old', 'x');
    const t = tag('old', 1);
    await tags.rename(t, 'new');
    expect(t.name).toBe('new');
    expect(await cache.inner.get('tag-by-name:old')).toBeUndefined();
  });
});

describe('@cachePut checks its default key before the method runs, and computes it after', () => {
  it('a first argument that cannot be part of a key fails the call before the method ran', async () => {
    await expect(tags.store(Symbol('a'))).rejects.toThrow(/A symbol cannot be part of a cache key/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(tags.store(cyclic)).rejects.toThrow(/refers to itself/);
    expect(tags.calls).toBe(0);
    // A good one runs and is cached; a key function still sees what the call did to the arguments.
    expect(await tags.store('a')).toBe('stored');
    await tags.create(tag('new'));
    expect(tags.calls).toBe(2);
    expect(await cache.inner.get('tag:a')).toBeDefined();
    expect(await cache.inner.get('tag:7')).toBeDefined();
  });
});
