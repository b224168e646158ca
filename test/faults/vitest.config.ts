import { defineConfig } from 'vitest/config';

// One file at a time: each fault file owns real processes (clusters, proxies) and measures
// latencies that a neighbour's load would distort.
export default defineConfig({
  oxc: { decorator: { legacy: true } },
  test: {
    name: 'faults',
    include: ['**/*.fault.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    globalSetup: ['support/global-setup.ts'],
  },
});
