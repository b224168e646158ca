import { defineConfig } from 'vitest/config';

export default defineConfig({
  oxc: { decorator: { legacy: true } },
  test: { name: 'example-service', include: ['test/**/*.test.ts'], testTimeout: 60_000 },
});
