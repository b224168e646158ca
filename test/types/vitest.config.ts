import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The type tests (`packages/*/test/types/*.test-d.ts`, `expectTypeOf` and `@ts-expect-error`), compiled by
// `tsc` — nothing runs — against the built packages, once per decorator mode, with the strict flags of
// `tsc --init` (exactOptionalPropertyTypes, noUncheckedIndexedAccess, verbatimModuleSyntax).
const root = fileURLToPath(new URL('../..', import.meta.url));
const mode = (name: string, tsconfig: string) => ({
  test: {
    name,
    root,
    include: [],
    typecheck: {
      enabled: true,
      only: true,
      include: ['packages/*/test/types/**/*.test-d.ts'],
      tsconfig: `test/types/${tsconfig}`,
    },
  },
});

export default defineConfig({
  test: {
    projects: [
      mode('TC39 decorators, strict', 'tsconfig.tc39.json'),
      mode('legacy decorators, strict', 'tsconfig.legacy.json'),
    ],
  },
});
