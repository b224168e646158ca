import { defineConfig } from 'vitest/config';
import { decoratorMetadataProject } from '../../vitest.modes.js';

export default defineConfig({ test: { projects: [decoratorMetadataProject('example-nest')] } });
