/**
 * `@kosha/nestjs`: KoshaModule for NestJS 11 — the Kosha instance and repositories through Nest's DI, the
 * per-request session on Express and Fastify, the instance closed on shutdown.
 *
 * ```ts
 * import { KoshaModule } from '@kosha/nestjs';
 *
 * @Module({ imports: [KoshaModule.forRoot({ orm: mikroOrm({ url }) }), KoshaModule.forFeature([UserRepo])] })
 * export class AppModule {}
 * ```
 * @packageDocumentation
 */
export { InjectKosha } from './inject-kosha.js';
export { KoshaModule } from './kosha-module.js';
export type {
  KoshaModuleAsyncOptions,
  KoshaModuleOptions,
  KoshaModuleSettings,
  KoshaRequestInfo,
  KoshaRequestOptions,
} from './options.js';
