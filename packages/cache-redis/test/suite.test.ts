import { randomBytes } from 'node:crypto';
import { redisCache } from '@kosha/cache-redis';
import RedisMock from 'ioredis-mock';
import { describe, test } from 'vitest';
import { cacheConformance } from '../../testing/src/cache-conformance.js';
import { realService } from '../../testing/src/services.js';

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
