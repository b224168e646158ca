import { createTestKosha, type TestKit, type TestKoshaOptions } from '@kosha/testing';
import { type DynamicModule, Inject, Module } from '@nestjs/common';
import { KoshaModule } from '../kosha-module.js';
import type { KoshaModuleSettings } from '../options.js';

/** The token of the `TestKit` that `KoshaTestingModule` provides (also through `InjectTestKit()`). */
export const KOSHA_TEST_KIT: unique symbol = Symbol('kosha.testKit');

/** Options of `KoshaTestingModule.forRoot`: `createTestKosha`'s, and the request session's. */
export interface KoshaTestingOptions extends TestKoshaOptions {
  /** The request session, as in `KoshaModule.forRoot`. Default `{ mode: 'request' }`. */
  request?: KoshaModuleSettings['request'];
}

/** Holds the kit's provider: imported by the testing module and by its KoshaModule's factory. */
@Module({})
class KoshaTestKitModule {}

/**
 * `KoshaModule` for tests, on `@kosha/testing`'s kit: SQLite in memory and ioredis-mock (or `url` for a real
 * database), the schema created, the instance closed when the test app closes. Import it in place of the
 * app's `KoshaModule.forRoot`; inject the kit (`@InjectTestKit()`, or `moduleRef.get(KOSHA_TEST_KIT)`) for
 * fixtures (`kit.load`) and rollback isolation (`kit.isolate`), which requests made by the test join.
 *
 * ```ts
 * const moduleRef = await Test.createTestingModule({
 *   imports: [KoshaTestingModule.forRoot({ entities: [User] }), UsersModule],
 * }).compile();
 * const kit = moduleRef.get<TestKit>(KOSHA_TEST_KIT);
 * ```
 */
@Module({})
export class KoshaTestingModule {
  /** The testing module on a fresh kit made with these options. */
  static forRoot(options: KoshaTestingOptions): DynamicModule {
    const { request, ...kitOptions } = options;
    const kit: DynamicModule = {
      module: KoshaTestKitModule,
      providers: [{ provide: KOSHA_TEST_KIT, useFactory: () => createTestKosha(kitOptions) }],
      exports: [KOSHA_TEST_KIT],
    };
    return {
      module: KoshaTestingModule,
      global: true,
      imports: [
        kit,
        KoshaModule.forRootAsync({
          imports: [kit],
          inject: [KOSHA_TEST_KIT],
          useFactory: (testKit: TestKit) => ({ kosha: testKit.kosha, closeOnShutdown: true, request }),
        }),
      ],
      exports: [kit],
    };
  }
}

/** Injects the `TestKit` of `KoshaTestingModule`. */
export function InjectTestKit(): PropertyDecorator & ParameterDecorator {
  return Inject(KOSHA_TEST_KIT);
}
