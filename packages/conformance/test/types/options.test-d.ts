// The suites' options accept an explicit `undefined` under `exactOptionalPropertyTypes`.
import type {
  BackendConformanceOptions,
  CacheConformanceOptions,
  TestDatabaseOptions,
} from '@kosha/conformance';
import { describe, expectTypeOf, it } from 'vitest';

/** Every optional key of `O`, each given as `undefined`. Assignable to `O` only if each one accepts it. */
type AllUndefined<O> = { [K in keyof O as {} extends Pick<O, K> ? K : never]-?: undefined };

describe('conformance options under exactOptionalPropertyTypes', () => {
  it('accept undefined for every optional option', () => {
    expectTypeOf<AllUndefined<BackendConformanceOptions>>().toExtend<BackendConformanceOptions>();
    expectTypeOf<AllUndefined<CacheConformanceOptions>>().toExtend<CacheConformanceOptions>();
    expectTypeOf<AllUndefined<TestDatabaseOptions>>().toExtend<TestDatabaseOptions>();
  });
});
