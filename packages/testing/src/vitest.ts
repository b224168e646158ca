/**
 * `@kosha/testing/vitest`: a `test` with Kosha fixtures, each test isolated in a transaction that is
 * rolled back (or, with `isolation: 'reset'`, committed and then wiped); and `koshaVitest`, the
 * decorator lowering of a `vitest.config.ts` for either decorator mode.
 *
 * ```ts
 * import { koshaTest } from '@kosha/testing/vitest';
 * const test = koshaTest({ entities: [User] });
 *
 * test('registers a user', async ({ kosha, fixtures, cache }) => {
 *   const [ada] = await fixtures.load(User, [{ name: 'Ada', email: 'ada@example.com' }]);
 *   expect(await new UserService().find(ada.id)).toMatchObject({ name: 'Ada' });
 * });
 * ```
 * @packageDocumentation
 */
import type { Kosha } from '@kosha/core';
import { afterAll, test as base } from 'vitest';
import type { CacheInspector } from './cache-inspector.js';
import type { TestKit, TestKoshaOptions } from './test-kosha.js';

export {
  type DecoratorMode,
  type KoshaVitestConfig,
  type KoshaVitestOptions,
  koshaVitest,
} from './vitest-config.js';

/** Options of {@link koshaTest}. */
export interface KoshaTestOptions extends TestKoshaOptions {
  /**
   * `'rollback'` (default): each test runs in a transaction rolled back afterwards — fast, and tests
   * never see each other's rows. `'reset'`: tests commit for real (REQUIRES_NEW, afterCommit hooks,
   * cache writes), then every table is recreated and the cache emptied.
   */
  isolation?: 'rollback' | 'reset' | undefined;
}

/** The fixtures a {@link koshaTest} test receives. */
export interface KoshaFixtures {
  /** The whole test kit. */
  kit: TestKit;
  /** The Kosha instance (also the default one). */
  kosha: Kosha;
  /** Data loading: `fixtures.load(User, rows)`. */
  fixtures: Pick<TestKit, 'load'>;
  /** What is cached and how reads went; `undefined` with `cache: false`. */
  cache: CacheInspector | undefined;
}

/**
 * A vitest `test` whose tests get `kosha`, `fixtures`, `cache` (and `kit`). One test kit per test
 * file, created on first use and closed after the file's last test.
 */
export function koshaTest(options: KoshaTestOptions) {
  let kit: Promise<TestKit> | undefined;
  const getKit = () => {
    // Loaded on first use: a vitest.config.ts that imports koshaVitest from here does not load MikroORM.
    kit ??= import('./test-kosha.js').then(({ createTestKosha }) => createTestKosha(options));
    return kit;
  };
  afterAll(async () => {
    if (kit) await (await kit).close();
  });
  const test = base.extend<KoshaFixtures>({
    // biome-ignore lint/correctness/noEmptyPattern: a fixture without dependencies
    kit: async ({}, use) => {
      await use(await getKit());
    },
    kosha: async ({ kit }, use) => {
      await use(kit.kosha);
    },
    fixtures: async ({ kit }, use) => {
      await use({ load: kit.load });
    },
    cache: async ({ kit }, use) => {
      await use(kit.cache);
    },
  });
  test.aroundEach(async (runTest, { kit }) => {
    // The hook applies to every test of the file (or suite); one declared with vitest's own `it` has no kit.
    if (kit === undefined) {
      await runTest();
    } else if (options.isolation === 'reset') {
      try {
        await runTest();
      } finally {
        await kit.reset();
      }
    } else {
      await kit.isolate(runTest);
    }
  });
  return test;
}
