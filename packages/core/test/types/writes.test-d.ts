// The write, lock and soft-delete API's types: upsert's key fields, updateWhere's changes, the lock options.
import { DbRepo, decrement, type Increment, increment, type UpdateChanges } from '@kosha/core';
import { describe, expectTypeOf, it } from 'vitest';

class Counter {
  id!: number;
  key!: string;
  n!: number;
  big!: bigint;
  note!: string | null;
  deletedAt?: Date | null;
}

class Counters extends DbRepo<Counter> {}
declare const counters: Counters;

describe('writes', () => {
  it('upsert names fields of the entity and returns entities', () => {
    expectTypeOf(
      counters.upsert([{ key: 'a', n: 1, big: 1n, note: null }], { onConflict: ['key'] }),
    ).toEqualTypeOf<Promise<Counter[]>>();
    // @ts-expect-error not a field
    counters.upsert([], { onConflict: ['nope'] });
  });

  it('updateWhere takes values of the field type, and increments on numbers only', () => {
    expectTypeOf(counters.updateWhere({ key: 'a' }, { n: increment(1), note: null })).toEqualTypeOf<
      Promise<number>
    >();
    counters.updateWhere({ id: 1 }, { big: increment<bigint>(2n) });
    counters.updateWhere({ id: 1 }, { n: decrement(3) });
    // @ts-expect-error increment of a string field
    counters.updateWhere({ id: 1 }, { key: increment(1) });
    // @ts-expect-error a value of the wrong type
    counters.updateWhere({ id: 1 }, { n: 'x' });
    expectTypeOf<UpdateChanges<Counter>['n']>().toEqualTypeOf<number | Increment<number> | undefined>();
  });

  it('reads take lock and withDeleted options', () => {
    expectTypeOf(counters.getById(1, { lock: 'pessimistic_write', skipLocked: true })).toEqualTypeOf<
      Promise<Counter | null>
    >();
    counters.find({ where: { n: 1 }, lock: 'pessimistic_read', noWait: true, withDeleted: true });
    counters.findOne({ n: 1 }, { lock: 'pessimistic_write' });
    counters.count({ n: 1 }, { withDeleted: true });
    // @ts-expect-error not a lock mode
    counters.getById(1, { lock: 'optimistic' });
    expectTypeOf(counters.restore(1)).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(counters.deleteWhere({ n: 1 })).toEqualTypeOf<Promise<number>>();
    expectTypeOf(counters.insertAll([], { ignoreDuplicates: true })).toEqualTypeOf<Promise<Counter[]>>();
  });
});
