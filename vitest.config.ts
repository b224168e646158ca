import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'examples/*/vitest.config.ts',
      'docs/vitest.config.ts',
      'test/faults/vitest.config.ts',
      'test/integration/vitest.config.ts',
      'test/types/vitest.config.ts',
      'scripts/vitest.config.mjs',
    ],
  },
});
