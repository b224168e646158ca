import 'reflect-metadata';
import { Kosha } from '@kosha/core';
import type { TestKit } from '@kosha/testing';
import { Module } from '@nestjs/common';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { KoshaModule } from '../src/index.js';
import { KOSHA_TEST_KIT, KoshaTestingModule } from '../src/testing/index.js';
import { nestApp, PLATFORMS } from './support/nest-app.js';
import { Clock, RolesGuard, User, UserController, UserRepo, UserService } from './support/users.js';

// UserRepo's Clock comes from a global module here.
@Module({
  imports: [KoshaModule.forFeature([UserRepo])],
  controllers: [UserController],
  providers: [UserService, RolesGuard],
})
class UsersModule {}

@Module({ providers: [Clock], exports: [Clock] })
class ClockModule {}

describe('KoshaTestingModule', () => {
  for (const platform of PLATFORMS) {
    it(`on ${platform}: the kit is injectable, its instance is the module's, and it is closed with the app`, async () => {
      const app = await nestApp(platform, [
        { module: ClockModule, global: true },
        KoshaTestingModule.forRoot({ entities: [User] }),
        UsersModule,
      ]);
      const kit = app.get<TestKit>(KOSHA_TEST_KIT);
      // ioredis-mock instances share their data within a process: start on an empty cache.
      await kit.cache!.clear();
      expect(app.get(Kosha)).toBe(kit.kosha);
      const [ada] = await kit.load(User, [{ name: 'Ada' }]);
      await request(app.getHttpServer()).get(`/users/${ada!.id}`).set('x-role', 'reader').expect(200);
      expect(await kit.cache?.has(`nest-user:${ada!.id}`)).toBe(true);
      await app.close();
      expect(kit.kosha.closed).toBe(true);
    });

    it(`on ${platform}: a request made inside kit.isolate joins the test's transaction and is rolled back with it`, async () => {
      const app = await nestApp(platform, [
        { module: ClockModule, global: true },
        KoshaTestingModule.forRoot({ entities: [User] }),
        UsersModule,
      ]);
      const kit = app.get<TestKit>(KOSHA_TEST_KIT);
      await kit.isolate(async () => {
        const [ada] = await kit.load(User, [{ name: 'Ada' }]);
        // The request sees the row the test loaded, uncommitted, and writes one of its own.
        await request(app.getHttpServer()).get(`/users/${ada!.id}`).set('x-role', 'reader').expect(200);
        await request(app.getHttpServer())
          .post('/users')
          .set('x-role', 'admin')
          .send({ name: 'Grace' })
          .expect(201);
        expect(await app.get(UserRepo).count()).toBe(2);
      });
      expect(await app.get(UserRepo).count()).toBe(0);
      await app.close();
    });
  }
});
