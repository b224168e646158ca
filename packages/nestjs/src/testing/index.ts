/**
 * `@kosha/nestjs/testing`: `KoshaTestingModule`, KoshaModule on `@kosha/testing`'s kit (SQLite in memory,
 * ioredis-mock), for `@nestjs/testing`.
 *
 * ```ts
 * import { KoshaTestingModule } from '@kosha/nestjs/testing';
 *
 * const moduleRef = await Test.createTestingModule({
 *   imports: [KoshaTestingModule.forRoot({ entities: [User] }), UsersModule],
 * }).compile();
 * ```
 * @packageDocumentation
 */
export {
  InjectTestKit,
  KOSHA_TEST_KIT,
  KoshaTestingModule,
  type KoshaTestingOptions,
} from './kosha-testing-module.js';
