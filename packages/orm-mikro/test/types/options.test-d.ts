// `mikroOrm` options accept an explicit `undefined` under `exactOptionalPropertyTypes`.
import { type MikroOrmOptions, mikroOrm } from '@kosha/orm-mikro';
import { describe, expectTypeOf, it } from 'vitest';

/** Every optional key of `O`, each given as `undefined`. Assignable to `O` only if each one accepts it. */
type AllUndefined<O> = { [K in keyof O as {} extends Pick<O, K> ? K : never]-?: undefined };

declare const debug: boolean | undefined;

describe('mikroOrm options under exactOptionalPropertyTypes', () => {
  it('accept undefined for every optional option, in the pool too', () => {
    expectTypeOf<AllUndefined<MikroOrmOptions>>().toExtend<Partial<MikroOrmOptions>>();
    expectTypeOf<AllUndefined<NonNullable<MikroOrmOptions['pool']>>>().toExtend<MikroOrmOptions['pool']>();
  });

  it('take the values a strict project has in hand', () => {
    expectTypeOf(mikroOrm).toBeCallableWith({ url: 'sqlite::memory:', debug });
    expectTypeOf(mikroOrm).toBeCallableWith({
      url: 'postgresql://localhost/app',
      pool: { max: Number(process.env.POOL_MAX) || undefined },
      statementTimeout: undefined,
    });
  });

  it('still need the URL', () => {
    // @ts-expect-error `url` is required
    mikroOrm({ url: undefined });
  });
});
