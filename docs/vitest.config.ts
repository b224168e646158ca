import { defineConfig } from 'vitest/config';

// The guide's getting-started page, run: its code blocks execute as a reader would run them.
export default defineConfig({
  oxc: { decorator: { legacy: true } },
  test: { name: 'docs', include: ['test/**/*.test.ts'], testTimeout: 30_000 },
});
