// The cache suite on core's in-memory provider, the reference every other provider is held to: this
// checks the suite itself (a test here that fails on memoryCache is a wrong test, not a wrong provider).
import { memoryCache } from '@kosha/core';
import { test } from 'vitest';
import { cacheConformance } from '../src/index.js';

cacheConformance(test, () => memoryCache(), { name: 'memory' });
