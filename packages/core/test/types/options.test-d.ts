// Every optional option accepts an explicit `undefined` under `exactOptionalPropertyTypes`, as a strict
// project passes settings it may not have (`x ?? undefined`, `process.env.X`).
import {
  type CacheableOptions,
  type CacheConfig,
  type CacheEvictOptions,
  type CachePutOptions,
  type ColumnOptions,
  createKosha,
  type DatabaseConfig,
  type IdOptions,
  type KoshaConfig,
  type KoshaOptions,
  type LoadConfigOptions,
  loadConfig,
  type MemoryCacheOptions,
  memoryCache,
  type PoolConfig,
  type RelationOptions,
  type RequestScopeOptions,
  type SessionScopeOptions,
  type TransactionOptions,
} from '@kosha/core';
import { describe, expectTypeOf, it } from 'vitest';

/** Every optional key of `O`, each given as `undefined`. Assignable to `O` only if each one accepts it. */
type AllUndefined<O> = { [K in keyof O as {} extends Pick<O, K> ? K : never]-?: undefined };

declare const maybeCache: CacheConfig | undefined;
declare const maybeTtl: number | undefined;

describe('core options under exactOptionalPropertyTypes', () => {
  it('accept undefined for every optional option', () => {
    expectTypeOf<AllUndefined<KoshaOptions>>().toExtend<Partial<KoshaOptions>>();
    expectTypeOf<AllUndefined<KoshaConfig>>().toExtend<Partial<KoshaConfig>>();
    expectTypeOf<AllUndefined<DatabaseConfig>>().toExtend<Partial<DatabaseConfig>>();
    expectTypeOf<AllUndefined<PoolConfig>>().toExtend<PoolConfig>();
    expectTypeOf<AllUndefined<CacheConfig>>().toExtend<Partial<CacheConfig>>();
    expectTypeOf<AllUndefined<LoadConfigOptions>>().toExtend<LoadConfigOptions>();
    expectTypeOf<AllUndefined<MemoryCacheOptions>>().toExtend<MemoryCacheOptions>();
    expectTypeOf<AllUndefined<TransactionOptions>>().toExtend<TransactionOptions>();
    expectTypeOf<AllUndefined<SessionScopeOptions>>().toExtend<SessionScopeOptions>();
    expectTypeOf<AllUndefined<RequestScopeOptions>>().toExtend<RequestScopeOptions>();
    expectTypeOf<AllUndefined<CacheableOptions>>().toExtend<Partial<CacheableOptions>>();
    expectTypeOf<AllUndefined<CacheEvictOptions>>().toExtend<Partial<CacheEvictOptions>>();
    expectTypeOf<AllUndefined<CachePutOptions>>().toExtend<Partial<CachePutOptions>>();
    expectTypeOf<AllUndefined<ColumnOptions>>().toExtend<ColumnOptions>();
    expectTypeOf<AllUndefined<IdOptions>>().toExtend<IdOptions>();
    expectTypeOf<AllUndefined<RelationOptions>>().toExtend<RelationOptions>();
  });

  it('take the values a strict project has in hand', () => {
    const url = 'sqlite::memory:';
    expectTypeOf(createKosha).toBeCallableWith({ orm: { url }, cache: maybeCache ?? undefined });
    expectTypeOf(createKosha).toBeCallableWith({ orm: { url, pool: { max: maybeTtl } }, logger: undefined });
    expectTypeOf(memoryCache).toBeCallableWith({ defaultTtl: maybeTtl });
    expectTypeOf(loadConfig).toBeCallableWith({ file: process.env.KOSHA_CONFIG_FILE });
  });

  it('still refuse what is not an option', () => {
    // @ts-expect-error a misspelt option
    createKosha({ orm: { url: 'sqlite::memory:' }, cahce: false });
    // @ts-expect-error undefined is no database: `orm` is required
    createKosha({ orm: undefined });
  });
});
