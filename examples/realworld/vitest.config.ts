import { defineConfig } from 'vitest/config';
import { decoratorModeProjects } from '../../vitest.modes.js';

export default defineConfig({
  test: { projects: decoratorModeProjects('example-realworld', { testTimeout: 120_000 }) },
});
