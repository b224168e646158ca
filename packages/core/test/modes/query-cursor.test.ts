import {
  column,
  decodeCursor,
  encodeCursor,
  entity,
  InvalidArgumentError,
  id,
  like,
  metadataOf,
  normalizeWhere,
  type OrderNode,
  resolveEntities,
} from '@kosha/core';
import { describe, expect, it } from 'vitest';

@entity
class CursorItem {
  @id() id!: number;
  @column({ type: 'integer', nullable: true }) rank!: number | null;
  @column({ type: 'datetime' }) due!: Date;
  @column({ type: 'bigint' }) big!: bigint;
  @column({ type: 'string' }) label!: string;
}

@entity
class CursorOther {
  @id() id!: number;
}

resolveEntities([CursorItem, CursorOther]);
const meta = metadataOf(CursorItem);
const keys: OrderNode[] = [
  { path: ['rank'], direction: 'asc', type: 'integer' },
  { path: ['due'], direction: 'desc', type: 'datetime' },
  { path: ['big'], direction: 'asc', type: 'bigint' },
  { path: ['id'], direction: 'asc', type: 'integer' },
];

describe('findSlice cursors', () => {
  it('round-trip their values, NULL, Date and bigint included', () => {
    const due = new Date('2026-03-04T05:06:07.089Z');
    const cursor = encodeCursor(meta, keys, [null, due, 12345678901234567890n, 7]);
    expect(decodeCursor(meta, keys, cursor).map((k) => k.value)).toEqual([
      null,
      due,
      12345678901234567890n,
      7,
    ]);
  });

  it('refuse an edited cursor, one of another sort or entity, and values of the wrong type', () => {
    const cursor = encodeCursor(meta, keys, [1, new Date(), 1n, 7]);
    const edited = `${cursor.slice(0, 3)}${cursor[3] === 'x' ? 'y' : 'x'}${cursor.slice(4)}`;
    const otherSort = keys.map((k) => (k.path[0] === 'rank' ? { ...k, direction: 'desc' as const } : k));
    expect(() => decodeCursor(meta, keys, edited)).toThrow(InvalidArgumentError);
    expect(() => decodeCursor(meta, otherSort, cursor)).toThrow(/another sort/);
    expect(() => decodeCursor(metadataOf(CursorOther), keys, cursor)).toThrow(/another entity/);
    expect(() => decodeCursor(meta, keys, encodeCursor(meta, keys, ['1', new Date(), 1n, 7]))).toThrow(
      /not a valid integer/,
    );
    expect(() => decodeCursor(meta, keys, encodeCursor(meta, keys, [1, new Date(), 1n, null]))).toThrow(
      /NULL/,
    );
    expect(() => decodeCursor(meta, keys, encodeCursor(meta, keys, [1, 'soon', 1n, 7]))).toThrow(/datetime/);
    for (const bad of [42, '', '.', 'abc', 'a.b', 'x'.repeat(20_000), null]) {
      expect(() => decodeCursor(meta, keys, bad)).toThrow(InvalidArgumentError);
    }
  });
});

describe('like patterns', () => {
  it('refuse a pattern ending in an unescaped escape character, which databases read differently', () => {
    expect(() => normalizeWhere(meta, { label: like('a\\') })).toThrow(/ends with an unescaped/);
    expect(() => normalizeWhere(meta, { label: like('a\\\\\\') })).toThrow(/ends with an unescaped/);
    expect(normalizeWhere(meta, { label: like('a\\\\') })).toMatchObject({ op: 'like', value: 'a\\\\' });
  });
});
