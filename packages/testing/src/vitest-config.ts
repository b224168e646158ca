import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '@kosha/core';
import type { ViteUserConfig } from 'vitest/config';

/** The TypeScript decorator mode of a project: TC39 standard decorators, or `experimentalDecorators`. */
export type DecoratorMode = 'tc39' | 'legacy';

/** Options of {@link koshaVitest}. */
export interface KoshaVitestOptions {
  /**
   * The decorators your `tsconfig.json` compiles: `'tc39'` without `experimentalDecorators`
   * (TypeScript's default), `'legacy'` with `"experimentalDecorators": true`.
   */
  decorators: DecoratorMode;
  /**
   * Legacy mode only: emit `design:type` / `design:paramtypes` metadata, as `emitDecoratorMetadata`
   * does in `tsc` (NestJS's dependency injection reads it). Default `false`.
   */
  emitDecoratorMetadata?: boolean | undefined;
}

/** The part of a vitest config that {@link koshaVitest} returns: spread it into `defineConfig`. */
export interface KoshaVitestConfig {
  /** Vite's own TypeScript transform: set for legacy decorators, turned off for TC39 ones (swc does it). */
  oxc: NonNullable<ViteUserConfig['oxc']>;
  /** `unplugin-swc` in TC39 mode; none in legacy mode. */
  plugins: NonNullable<ViteUserConfig['plugins']>;
}

/** The subset of `unplugin-swc` this file uses. */
interface SwcUnplugin {
  vite(options: Record<string, unknown>): NonNullable<ViteUserConfig['plugins']>[number];
}

const INSTALL_SWC = 'npm i -D unplugin-swc @swc/core (or pnpm add -D unplugin-swc @swc/core)';

/**
 * The decorator lowering of a `vitest.config.ts`, for either TypeScript decorator mode. Vitest runs
 * on Vite, whose oxc transform lowers legacy decorators only when told to and cannot lower TC39 ones
 * (a `SyntaxError` at load); this returns the transform that does, for the mode your `tsconfig.json`
 * compiles. TC39 mode needs the optional peers `unplugin-swc` and `@swc/core`; legacy mode nothing.
 *
 * ```ts
 * // vitest.config.ts
 * import { koshaVitest } from '@kosha/testing/vitest';
 * import { defineConfig } from 'vitest/config';
 *
 * export default defineConfig({ ...koshaVitest({ decorators: 'tc39' }), test: { include: ['test/**\/*.test.ts'] } });
 * ```
 * @throws ConfigError for an unknown mode, or in TC39 mode when `unplugin-swc` or `@swc/core` is not installed.
 */
export function koshaVitest(options: KoshaVitestOptions): KoshaVitestConfig {
  const mode = (options as Partial<KoshaVitestOptions> | undefined)?.decorators;
  if (mode === 'legacy') {
    return {
      oxc: { decorator: { legacy: true, emitDecoratorMetadata: options.emitDecoratorMetadata === true } },
      plugins: [],
    };
  }
  if (mode === 'tc39') {
    if (options.emitDecoratorMetadata) {
      throw new ConfigError(
        'koshaVitest({ decorators: \'tc39\', emitDecoratorMetadata: true }): TypeScript emits design:* metadata only for legacy decorators. Drop emitDecoratorMetadata, or use decorators: \'legacy\' with "experimentalDecorators": true and "emitDecoratorMetadata": true in tsconfig.json.',
      );
    }
    return {
      oxc: false,
      plugins: [
        loadSwcUnplugin().vite({
          // The options below decide, not the tsconfig.json (its experimentalDecorators would switch swc
          // to legacy decorators whatever `decorators` says).
          tsconfigFile: false,
          jsc: {
            target: 'es2022',
            parser: { decorators: true },
            transform: { decoratorVersion: '2022-03', useDefineForClassFields: true },
          },
        }),
      ],
    };
  }
  throw new ConfigError(
    `koshaVitest: decorators must be 'tc39' or 'legacy', got ${JSON.stringify(mode) ?? 'nothing'}. Use 'legacy' when your tsconfig.json has "experimentalDecorators": true, 'tc39' when it does not.`,
  );
}

/**
 * `unplugin-swc`, resolved from this package (where package managers link optional peers), then from
 * the project in the working directory.
 */
function loadSwcUnplugin(): SwcUnplugin {
  const from = [import.meta.url, pathToFileURL(join(process.cwd(), 'package.json')).href];
  let missing = 'unplugin-swc';
  for (const base of from) {
    try {
      const loaded = createRequire(base)('unplugin-swc') as { default?: SwcUnplugin } & SwcUnplugin;
      return loaded.default ?? loaded;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw error;
      // unplugin-swc was found but its peer @swc/core was not.
      if (/['"]@swc\/core['"]/.test((error as Error).message)) missing = '@swc/core';
    }
  }
  throw new ConfigError(
    `koshaVitest({ decorators: 'tc39' }): TC39 decorators are lowered by swc in tests, and ${missing} is not installed. Install it: ${INSTALL_SWC}. Or, if your tsconfig.json has "experimentalDecorators": true, use koshaVitest({ decorators: 'legacy' }), which needs nothing more.`,
  );
}
