import { defineConfig } from 'vitest/config';
import { decoratorModeProjects } from '../../vitest.modes.js';

export default defineConfig({
  test: { projects: decoratorModeProjects('otel', { testTimeout: 30_000 }) },
});
