// @deletedAt and @column({ touchesUpdatedAt: false }) in both decorator modes (this file runs under each).
import { column, deletedAt, entity, id, MappingError, resolveEntities, table, updatedAt } from '@kosha/core';
import { describe, expect, it } from 'vitest';

@entity
@table('write_mapping_docs')
class WriteMappingDoc {
  @id() id!: number;
  @column({ type: 'integer', touchesUpdatedAt: false }) views!: number;
  @updatedAt() updatedAt!: Date;
  @deletedAt() deletedAt?: Date | null;
}

describe('@deletedAt and touchesUpdatedAt', () => {
  it('map a nullable datetime soft-delete column and the quiet column option', () => {
    const [meta] = resolveEntities([WriteMappingDoc]);
    expect(meta!.deletedAt).toMatchObject({
      name: 'deletedAt',
      kind: 'deletedAt',
      type: 'datetime',
      columnName: 'deleted_at',
      options: { nullable: true },
    });
    const views = meta!.properties.find((p) => p.name === 'views');
    expect(views?.options.touchesUpdatedAt).toBe(false);
    expect(meta!.fieldNames.has('deletedAt')).toBe(true);
  });

  it('refuse two @deletedAt properties', () => {
    @entity
    class TwoDeletedAt {
      @id() id!: number;
      @deletedAt() a?: Date | null;
      @deletedAt() b?: Date | null;
    }
    expect(() => resolveEntities([TwoDeletedAt])).toThrow(MappingError);
    expect(() => resolveEntities([TwoDeletedAt])).toThrow(/2 @deletedAt properties/);
  });
});
