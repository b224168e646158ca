import swc from 'unplugin-swc';
import type { TestProjectInlineConfiguration } from 'vitest/config';

type SwcTransform = NonNullable<NonNullable<NonNullable<Parameters<typeof swc.vite>[0]>['jsc']>['transform']>;

/** swc's TypeScript transform with these decorator settings (oxc lowers neither TC39 decorators nor metadata). */
function swcDecorators(transform: SwcTransform) {
  return swc.vite({
    jsc: { target: 'es2022', parser: { syntax: 'typescript', decorators: true }, transform },
  });
}

/**
 * The vitest projects of one package: every test with legacy decorators (experimentalDecorators,
 * lowered by Vite's oxc), and the tests under `test/modes/` a second time with TC39 standard
 * decorators (lowered by swc: oxc does not lower them).
 */
export function decoratorModeProjects(
  name: string,
  extra: { exclude?: string[]; testTimeout?: number; setupFiles?: string[] } = {},
): TestProjectInlineConfiguration[] {
  const common = {
    testTimeout: extra.testTimeout ?? 20_000,
    setupFiles: extra.setupFiles ?? [],
    exclude: extra.exclude ?? [],
  };
  return [
    {
      oxc: { decorator: { legacy: true } },
      test: { ...common, name: `${name} (legacy decorators)`, include: ['test/**/*.test.ts'] },
    },
    {
      oxc: false,
      plugins: [swcDecorators({ decoratorVersion: '2022-03', useDefineForClassFields: true })],
      test: { ...common, name: `${name} (TC39 decorators)`, include: ['test/modes/**/*.test.ts'] },
    },
  ];
}

/**
 * The vitest project of a package whose tests need `emitDecoratorMetadata` (NestJS's constructor injection
 * reads `design:paramtypes`): legacy decorators with their metadata, lowered by swc (oxc emits no metadata).
 */
export function decoratorMetadataProject(
  name: string,
  extra: { testTimeout?: number; setupFiles?: string[] } = {},
): TestProjectInlineConfiguration {
  return {
    oxc: false,
    plugins: [swcDecorators({ legacyDecorator: true, decoratorMetadata: true })],
    test: {
      name: `${name} (legacy decorators with metadata)`,
      include: ['test/**/*.test.ts'],
      testTimeout: extra.testTimeout ?? 30_000,
      setupFiles: extra.setupFiles ?? [],
    },
  };
}
