// The test kit's options accept an explicit `undefined` under `exactOptionalPropertyTypes`.
import { createTestKosha, defineFactory, type TestKoshaOptions } from '@kosha/testing';
import {
  type KoshaTestOptions,
  type KoshaVitestOptions,
  koshaTest,
  koshaVitest,
} from '@kosha/testing/vitest';
import { describe, expectTypeOf, it } from 'vitest';

/** Every optional key of `O`, each given as `undefined`. Assignable to `O` only if each one accepts it. */
type AllUndefined<O> = { [K in keyof O as {} extends Pick<O, K> ? K : never]-?: undefined };

class Author {
  id!: number;
  name!: string;
}

describe('test kit options under exactOptionalPropertyTypes', () => {
  it('accept undefined for every optional option', () => {
    expectTypeOf<AllUndefined<TestKoshaOptions>>().toExtend<Partial<TestKoshaOptions>>();
    expectTypeOf<AllUndefined<KoshaTestOptions>>().toExtend<Partial<KoshaTestOptions>>();
    expectTypeOf<AllUndefined<KoshaVitestOptions>>().toExtend<Partial<KoshaVitestOptions>>();
  });

  it('take the database URL from the environment', () => {
    expectTypeOf(createTestKosha).toBeCallableWith({ entities: [Author], url: process.env.DATABASE_URL });
    expectTypeOf(koshaTest).toBeCallableWith({ entities: [Author], isolation: undefined });
    expectTypeOf(koshaVitest).toBeCallableWith({ decorators: 'tc39', emitDecoratorMetadata: undefined });
  });

  it('take factory overrides that may be unset', () => {
    const authors = defineFactory(Author, (i) => ({ name: `Author ${i}` }), { kosha: undefined });
    expectTypeOf(authors.create).toBeCallableWith(1, { name: process.env.NAME });
  });
});
