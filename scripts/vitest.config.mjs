import { defineConfig } from 'vitest/config';

// Tests of the repository's own scripts (plain .mjs, no decorators).
export default defineConfig({ test: { name: 'scripts', include: ['test/**/*.test.mjs'] } });
