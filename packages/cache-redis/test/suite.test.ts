import { randomBytes } from 'node:crypto';
import { redisCache } from '@kosha/cache-redis';
import { cacheConformance, realService } from '@kosha/conformance';
import RedisMock from 'ioredis-mock';
import { describe, test } from 'vitest';

const prefix = () => `kosha-test-${randomBytes(6).toString('hex')}`;

describe('on ioredis-mock', () => {
  const mock = new RedisMock();
  cacheConformance(test, () => redisCache({ client: mock, keyPrefix: prefix() }), {
    name: 'redis on ioredis-mock',
  });
});

const url = await realService('redis');
describe.skipIf(!url)('on a real Redis', () => {
  cacheConformance(test, () => redisCache({ url: url!, keyPrefix: prefix() }), {
    name: 'redis on a real server',
    numRuns: 25,
  });
});
