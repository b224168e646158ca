import { and, column, entity, gte, id, lte, metadataOf, normalizeWhere, or, table } from '@kosha/core';
import { describe, expect, it } from 'vitest';
import { toFilterQuery } from '../../src/query/filter-query.js';

@entity
@table('fq_user')
class FqUser {
  @id() id!: number;
  @column({ type: 'string', length: 20 }) status!: string;
  @column({ type: 'integer' }) age!: number;
}

const target = { dialect: 'sqlite', mariadb: false, quoteIdentifier: (s: string) => `"${s}"` } as const;
const filter = (where: unknown) =>
  toFilterQuery(metadataOf(FqUser), normalizeWhere(metadataOf(FqUser), where), target);

describe('toFilterQuery: conditions that must all hold', () => {
  it('become one object when no two use the same field (as em.find is usually given)', () => {
    expect(filter({ status: 'active', age: gte(30) })).toEqual({ status: 'active', age: { $gte: 30 } });
    expect(filter(and({ status: 'a' }, { age: lte(9) }))).toEqual({ status: 'a', age: { $lte: 9 } });
  });

  it('stay an $and when two use the same field, so neither overwrites the other', () => {
    expect(filter(and({ age: gte(3) }, { age: lte(9) }))).toEqual({
      $and: [{ age: { $gte: 3 } }, { age: { $lte: 9 } }],
    });
    expect(filter(and(or({ age: 1 }, { age: 2 }), or({ status: 'a' }, { status: 'b' })))).toEqual({
      $and: [{ $or: [{ age: 1 }, { age: 2 }] }, { $or: [{ status: 'a' }, { status: 'b' }] }],
    });
  });
});
