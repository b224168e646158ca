import { Kosha } from '@kosha/core';
import {
  type DynamicModule,
  Global,
  Inject,
  type MiddlewareConsumer,
  Module,
  type ModuleMetadata,
  type NestModule,
  type OnApplicationShutdown,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { bindAppInstances } from './bind-app-instances.js';
import { featureProviders } from './feature-providers.js';
import { KOSHA_MODULE_STATE, type ModuleState, moduleState } from './module-state.js';
import type { KoshaModuleAsyncOptions, KoshaModuleOptions } from './options.js';
import { installRequestSession } from './request-session.js';

/** Where `forFeature`'s providers live: a module of its own, so that it installs no second request session. */
@Module({})
class KoshaFeatureModule {}

const koshaProvider: Provider = {
  provide: Kosha,
  useFactory: (state: ModuleState) => state.kosha,
  inject: [KOSHA_MODULE_STATE],
};

function rootModule(
  state: Provider,
  imports: NonNullable<KoshaModuleAsyncOptions['imports']>,
): DynamicModule {
  return {
    module: KoshaModule,
    global: true,
    imports,
    providers: [state, koshaProvider],
    exports: [Kosha],
  };
}

/**
 * Kosha for NestJS. `forRoot` (or `forRootAsync`) once, in the root module: it makes the `Kosha` instance
 * injectable everywhere (the module is global), installs the per-request session on the app's Express or
 * Fastify platform, and closes the instance when the app shuts down if it created it. `forFeature` makes
 * repositories injectable, each bound to this module's instance.
 *
 * ```ts
 * @Module({
 *   imports: [
 *     KoshaModule.forRoot({ orm: mikroOrm({ url: process.env.DATABASE_URL }), cache: redisCache({ url: process.env.REDIS_URL }) }),
 *     KoshaModule.forFeature([UserRepo]),
 *   ],
 *   controllers: [UserController],
 *   providers: [UserService],
 * })
 * export class AppModule {}
 * ```
 */
@Global()
@Module({})
export class KoshaModule implements NestModule, OnModuleInit, OnApplicationShutdown {
  readonly #state: ModuleState;
  readonly #adapterHost: HttpAdapterHost;
  readonly #modules: ModulesContainer;

  constructor(
    @Inject(KOSHA_MODULE_STATE) state: ModuleState,
    @Inject(HttpAdapterHost) adapterHost: HttpAdapterHost,
    @Inject(ModulesContainer) modules: ModulesContainer,
  ) {
    this.#state = state;
    this.#adapterHost = adapterHost;
    this.#modules = modules;
  }

  /**
   * The module on a Kosha made from `createKosha`'s options (or `loadConfig`'s result), or on an instance
   * (`forRoot(kosha)` or `forRoot({ kosha, … })`), which the module then does not close.
   * @throws ConfigError at start-up when an option is invalid.
   */
  static forRoot(options: KoshaModuleOptions | Kosha): DynamicModule {
    return rootModule(
      { provide: KOSHA_MODULE_STATE, useFactory: () => moduleState(options, 'KoshaModule.forRoot') },
      [],
    );
  }

  /**
   * The module on options a factory returns, with Nest's `inject` (a `ConfigService`, say) and `imports`.
   *
   * ```ts
   * KoshaModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ orm: mikroOrm({ url: config.getOrThrow('DATABASE_URL') }) }),
   * })
   * ```
   */
  static forRootAsync(options: KoshaModuleAsyncOptions): DynamicModule {
    return rootModule(
      {
        provide: KOSHA_MODULE_STATE,
        useFactory: async (...args: unknown[]) =>
          moduleState(await options.useFactory(...args), 'KoshaModule.forRootAsync'),
        inject: options.inject ?? [],
      },
      options.imports ?? [],
    );
  }

  /**
   * Makes these classes injectable, each bound to the module's Kosha instance: repositories
   * (`@repository class UserRepo extends DbRepo<User>`), and services whose own `@transactional` or cache
   * methods must use this instance rather than the process default (several Kosha instances or Nest apps
   * in one process). Nest builds each with its own constructor dependencies: global providers, or those
   * exported by `options.imports`.
   */
  static forFeature(
    classes: readonly (new (...args: any[]) => object)[],
    options: Pick<ModuleMetadata, 'imports'> = {},
  ): DynamicModule {
    return {
      module: KoshaFeatureModule,
      imports: options.imports ?? [],
      providers: featureProviders(classes),
      exports: [...classes],
    };
  }

  /** @internal Nest calls it: installs the request session on Express or Fastify. */
  async configure(consumer: MiddlewareConsumer): Promise<void> {
    const { request, kosha } = this.#state;
    if (request === false) return;
    await installRequestSession(kosha, request, this.#adapterHost.httpAdapter, consumer);
  }

  /**
   * @internal Nest calls it before any other module's `onModuleInit` (KoshaModule is global): binds the
   * app's providers and controllers to this instance.
   */
  onModuleInit(): void {
    bindAppInstances(this.#modules, this.#state.kosha);
  }

  /** @internal Nest calls it on `app.close()`: closes the instance the module created. */
  async onApplicationShutdown(): Promise<void> {
    if (this.#state.closeOnShutdown) await this.#state.kosha.close();
  }
}
