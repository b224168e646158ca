import { KoshaModule } from '@kosha/nestjs';
import { mikroOrm } from '@kosha/orm-mikro';
import { Module } from '@nestjs/common';
import { User } from './user.js';
import { UsersModule } from './users-module.js';

/**
 * The app: Kosha on DATABASE_URL (default: SQLite in memory) with the in-memory cache, the request session
 * on whichever platform main.ts starts, and the users feature. Tests import KoshaTestingModule instead.
 */
@Module({
  imports: [
    KoshaModule.forRootAsync({
      useFactory: () => ({
        orm: mikroOrm({ url: process.env.DATABASE_URL ?? 'sqlite::memory:' }),
        entities: [User],
      }),
    }),
    UsersModule,
  ],
})
export class AppModule {}
