// Composite primary keys in the neutral mapping, in both decorator modes: several @id, @id stacked on a
// relation (either order) or `primary: true`, and the shapes createKosha refuses. Then ids at call time.
import {
  cacheKey,
  checkId,
  column,
  entity,
  InvalidArgumentError,
  id,
  keyFilter,
  MappingError,
  manyToOne,
  metadataOf,
  resolveEntities,
} from '@kosha/core';
import { describe, expect, it } from 'vitest';

@entity
class CkUser {
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
}

@entity
class CkFollow {
  @id @manyToOne(() => CkUser) follower!: CkUser;
  @manyToOne(() => CkUser) @id followee!: CkUser;
}

@entity
class CkFavorite {
  @manyToOne(() => CkUser, { primary: true }) user!: CkUser;
  @id({ type: 'integer' }) articleId!: number;
  @column({ type: 'integer' }) stars!: number;
}

@entity
class CkSlot {
  @id({ type: 'string' }) region!: string;
  @id() n!: number;
}

describe('composite primary keys', () => {
  it('are every @id, and every relation with @id stacked on it (either order) or primary: true', () => {
    const [follow, favorite, slot] = resolveEntities([CkUser, CkFollow, CkFavorite, CkSlot]).slice(1);
    expect(follow!.compositeKey).toBe(true);
    expect(follow!.primaryKeys.map((p) => [p.name, p.kind, p.columnName])).toEqual([
      ['follower', 'manyToOne', 'follower_id'],
      ['followee', 'manyToOne', 'followee_id'],
    ]);
    expect(favorite!.primaryKeys.map((p) => p.name)).toEqual(['user', 'articleId']);
    expect(favorite!.fieldNames.has('stars')).toBe(true);
    expect(slot!.primaryKeys.map((p) => [p.name, p.type, p.options.autoincrement])).toEqual([
      ['region', 'string', false],
      ['n', 'integer', false],
    ]);
    expect(metadataOf(CkUser).compositeKey).toBe(false);
    expect(metadataOf(CkUser).primaryKeys).toEqual([metadataOf(CkUser).primaryKey]);
  });

  it('refuses autoincrement and nullable parts, naming the fix', () => {
    @entity
    class CkAuto {
      @id({ autoincrement: true }) id!: number;
      @id({ type: 'string' }) code!: string;
    }
    @entity
    class CkNullable {
      @id() id!: number;
      @manyToOne(() => CkUser, { primary: true, nullable: true }) owner!: CkUser | null;
    }
    expect(() => resolveEntities([CkAuto])).toThrow(MappingError);
    expect(() => resolveEntities([CkAuto])).toThrow(
      /CkAuto\.id is autoincrement, but it is part of the composite key \(id, code\).*Drop `autoincrement`/,
    );
    expect(() => resolveEntities([CkUser, CkNullable])).toThrow(
      /CkNullable\.owner is nullable.*Drop `nullable`/,
    );
  });

  it('refuses a many-to-one to an entity with a composite key, at mapping time', () => {
    @entity
    class CkNotice {
      @id() id!: number;
      @manyToOne(() => CkFollow) follow!: CkFollow;
    }
    expect(() => resolveEntities([CkUser, CkFollow, CkNotice])).toThrow(
      /CkNotice\.follow refers to CkFollow, whose primary key is composite \(follower, followee\).*single @id/,
    );
  });
});

describe('ids at call time (checkId)', () => {
  const follow = () => metadataOf(CkFollow);
  const slot = () => metadataOf(CkSlot);

  it('gives a composite id as an object of exactly its parts, relation parts as the related key', () => {
    const user = Object.assign(new CkUser(), { id: 3, name: 'x' });
    expect(checkId(follow(), { followee: 2, follower: user }, 'f')).toEqual({ follower: 3, followee: 2 });
    expect(checkId(slot(), { region: 'eu', n: 1 }, 's')).toEqual({ region: 'eu', n: 1 });
    expect(keyFilter(slot(), { region: 'eu', n: 1 })).toEqual({ region: 'eu', n: 1 });
    expect(keyFilter(metadataOf(CkUser), 7)).toEqual({ id: 7 });
  });

  it('refuses a wrong type, a missing or foreign part, a bare value, an array', () => {
    const bad: [unknown, RegExp][] = [
      [{ region: 'eu', n: '1' }, /CkSlot\.n is a integer column/],
      [{ region: 'eu' }, /CkSlot\.n must be a value, got undefined/],
      [{ region: 'eu', n: 1, label: 'x' }, /label is not part of CkSlot's key \(region, n\)/],
      [7, /composite key \(region, n\): give its id as an object \{ region: …, n: … \}, got 7/],
      [['eu', 1], /got an array/],
    ];
    for (const [value, message] of bad) {
      expect(() => checkId(slot(), value, 'CkSlots.getById')).toThrow(InvalidArgumentError);
      expect(() => checkId(slot(), value, 'CkSlots.getById')).toThrow(message);
    }
    expect(() => checkId(follow(), { follower: 'a', followee: 1 }, 'x')).toThrow(/CkUser\.id\) is a integer/);
    expect(() => checkId(follow(), { follower: new CkUser(), followee: 1 }, 'x')).toThrow(
      /a CkUser without its id: insert it first, or give its key/,
    );
    expect(() => checkId(metadataOf(CkUser), '7', 'CkUsers.getById')).toThrow(/CkUsers\.getById: the id/);
  });

  it('makes one cache key of one composite id, whatever the order of its parts or an entity for a part', () => {
    const user = Object.assign(new CkUser(), { id: 1, name: 'x' });
    const key = cacheKey('follow', undefined, [{ follower: 1, followee: 2 }]);
    expect(cacheKey('follow', undefined, [{ followee: 2, follower: 1 }])).toBe(key);
    expect(cacheKey('follow', undefined, [{ followee: 2, follower: user }])).toBe(key);
    const entity = Object.assign(new CkFollow(), {
      follower: user,
      followee: Object.assign(new CkUser(), { id: 2 }),
    });
    expect(cacheKey('follow', undefined, [entity])).toBe(key);
    expect(cacheKey('follow', undefined, [{ follower: 2, followee: 1 }])).not.toBe(key);
  });
});
