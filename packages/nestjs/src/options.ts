import type { Kosha, KoshaConfig, KoshaOptions, RequestScopeOptions } from '@kosha/core';
import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency } from '@nestjs/common';

/** What {@link KoshaRequestOptions.skip} is given: the request's method and path (the same on both platforms). */
export interface KoshaRequestInfo {
  /** `GET`, `POST`, … */
  readonly method: string;
  /** The path with its query string, as the client sent it. */
  readonly url: string;
}

/**
 * The per-request session KoshaModule installs on the Nest app's HTTP platform: `@kosha/http-express`'s
 * `dbMiddleware` on Express, `@kosha/http-fastify`'s `dbPlugin` on Fastify, with these options.
 */
export interface KoshaRequestOptions extends Omit<RequestScopeOptions, 'kosha'> {
  /** Return true for requests that need no session (health checks): they pass straight through. */
  skip?: ((request: KoshaRequestInfo) => boolean) | undefined;
  /** Which response statuses roll the request transaction back instead of committing it. Default: `status >= 500`. */
  rollbackOn?: ((statusCode: number) => boolean) | undefined;
}

/** What KoshaModule does besides holding the instance. */
export interface KoshaModuleSettings {
  /**
   * The per-request session on the app's HTTP platform (Express or Fastify). Default `{ mode: 'request' }`;
   * `false`: none (a worker, a microservice, or an app that mounts the adapter itself).
   */
  request?: KoshaRequestOptions | false | undefined;
  /**
   * Close the instance when the app shuts down (`onApplicationShutdown`). Default: true when the module
   * created it (from options), false for an instance it was given (`{ kosha }`), whose owner closes it.
   */
  closeOnShutdown?: boolean | undefined;
}

/**
 * Options of `KoshaModule.forRoot` and of the factory of `forRootAsync`: the options of `createKosha`
 * (or a `KoshaConfig` from `loadConfig`), or an existing instance as `{ kosha }`, plus the module's settings.
 */
export type KoshaModuleOptions = (KoshaOptions | KoshaConfig | { kosha: Kosha }) & KoshaModuleSettings;

/** Options of `KoshaModule.forRootAsync`: a factory for the options, with Nest's `inject` and `imports`. */
export interface KoshaModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Returns the module's options (or a Kosha instance, closed by its owner). Its parameters are `inject`'s providers. */
  useFactory: (...args: any[]) => KoshaModuleOptions | Kosha | Promise<KoshaModuleOptions | Kosha>;
  /** The providers passed to `useFactory`, in order (`ConfigService`, …). */
  inject?: (InjectionToken | OptionalFactoryDependency)[] | undefined;
}
