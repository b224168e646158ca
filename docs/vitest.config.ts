import { koshaVitest } from '@kosha/testing/vitest';
import { defineConfig } from 'vitest/config';

// The guide's getting-started program, run in both decorator modes through koshaVitest (the helper
// the testing page tells users to put in their vitest.config.ts).
export default defineConfig({
  test: {
    projects: (['tc39', 'legacy'] as const).map((decorators) => ({
      ...koshaVitest({ decorators }),
      test: {
        name: `docs (${decorators === 'tc39' ? 'TC39' : 'legacy'} decorators)`,
        include: ['test/**/*.test.ts'],
        env: { KOSHA_DECORATORS: decorators },
        testTimeout: 30_000,
      },
    })),
  },
});
