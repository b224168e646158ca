// `dbMiddleware` options accept an explicit `undefined` under `exactOptionalPropertyTypes`.
import { type DbMiddlewareOptions, type DbMode, dbMiddleware } from '@kosha/http-express';
import { describe, expectTypeOf, it } from 'vitest';

/** Every optional key of `O`, each given as `undefined`. Assignable to `O` only if each one accepts it. */
type AllUndefined<O> = { [K in keyof O as {} extends Pick<O, K> ? K : never]-?: undefined };

declare const mode: DbMode | undefined;

describe('dbMiddleware options under exactOptionalPropertyTypes', () => {
  it('accept undefined for every optional option', () => {
    expectTypeOf<AllUndefined<DbMiddlewareOptions>>().toExtend<DbMiddlewareOptions>();
  });

  it('take a mode that may be unset', () => {
    expectTypeOf(dbMiddleware).toBeCallableWith({ mode });
  });

  it('still refuse a mode that does not exist', () => {
    // @ts-expect-error not a mode
    dbMiddleware({ mode: 'transaction' });
  });
});
