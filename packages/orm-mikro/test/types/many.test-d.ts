// With @kosha/orm-mikro imported, MikroORM's Collection is core's Many<T>: what a to-many property holds at
// run time satisfies the type entity files declare, and `this.em` code that has a Collection can pass it on.
import type { Many } from '@kosha/core';
import '@kosha/orm-mikro';
import type { Collection } from '@mikro-orm/core';
import { describe, expectTypeOf, it } from 'vitest';

class Tag {
  id!: number;
  name!: string;
}

describe('Collection as Many', () => {
  it('a Collection<T> is a Many<T>, with items and isLoaded', () => {
    expectTypeOf<Collection<Tag>>().toExtend<Many<Tag>>();
    expectTypeOf<Collection<Tag>['items']>().toEqualTypeOf<readonly Tag[]>();
    expectTypeOf<Collection<Tag>['isLoaded']>().toEqualTypeOf<boolean>();
  });
});
