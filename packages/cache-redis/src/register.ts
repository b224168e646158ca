import { registerCacheProvider } from '@kosha/core';
import { redisCache } from './redis-cache.js';

// Importing the package makes `redis://` and `rediss://` cache URLs (config.ini, KOSHA_CACHE_URL) resolve
// here. A `default_ttl` of 0 in configuration means "none of its own": the provider's default applies.
registerCacheProvider({
  package: '@kosha/cache-redis',
  schemes: ['redis', 'rediss'],
  create: (config) => redisCache({ ...config, defaultTtl: config.defaultTtl || undefined }),
});
