// `redisCache` options accept an explicit `undefined` under `exactOptionalPropertyTypes`.
import {
  type RedisCacheOptions,
  type RedisClusterOptions,
  type RedisSentinelOptions,
  redisCache,
} from '@kosha/cache-redis';
import { describe, expectTypeOf, it } from 'vitest';

/** Every optional key of `O`, each given as `undefined`. Assignable to `O` only if each one accepts it. */
type AllUndefined<O> = { [K in keyof O as {} extends Pick<O, K> ? K : never]-?: undefined };

describe('redisCache options under exactOptionalPropertyTypes', () => {
  it('accept undefined for every optional option', () => {
    expectTypeOf<AllUndefined<RedisCacheOptions>>().toExtend<RedisCacheOptions>();
    expectTypeOf<AllUndefined<RedisSentinelOptions>>().toExtend<Partial<RedisSentinelOptions>>();
    expectTypeOf<AllUndefined<RedisClusterOptions>>().toExtend<Partial<RedisClusterOptions>>();
  });

  it('take the URL from the environment', () => {
    expectTypeOf(redisCache).toBeCallableWith({ url: process.env.REDIS_URL });
    expectTypeOf(redisCache).toBeCallableWith({ url: process.env.REDIS_URL, keyPrefix: process.env.APP });
  });

  it('still refuse what is not an option', () => {
    // @ts-expect-error a misspelt option
    redisCache({ uri: process.env.REDIS_URL });
  });
});
