import { defineConfig } from 'vitest/config';

export default defineConfig({
  oxc: { decorator: { legacy: true } },
  test: { name: 'example-consumer', include: ['test/**/*.test.ts'] },
});
