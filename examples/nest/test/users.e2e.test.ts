// The example app over HTTP, through @nestjs/testing and supertest, on Express and on Fastify: the users
// feature as the app has it, on KoshaTestingModule (SQLite in memory, ioredis-mock) instead of AppModule's
// KoshaModule.forRootAsync.
import 'reflect-metadata';
import { KOSHA_TEST_KIT, KoshaTestingModule } from '@kosha/nestjs/testing';
import type { TestKit } from '@kosha/testing';
import type { INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { User } from '../src/user.js';
import { UserRepo } from '../src/user-repo.js';
import { UsersModule } from '../src/users-module.js';

for (const platform of ['express', 'fastify'] as const) {
  describe(`the Nest example on ${platform}`, () => {
    let app: INestApplication;
    let kit: TestKit;

    beforeEach(async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [KoshaTestingModule.forRoot({ entities: [User] }), UsersModule],
      }).compile();
      app = moduleRef.createNestApplication(
        platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
        {
          logger: false,
        },
      );
      await app.init();
      if (platform === 'fastify') await app.getHttpAdapter().getInstance().ready();
      kit = app.get<TestKit>(KOSHA_TEST_KIT);
      // ioredis-mock instances share their data within a process: start each test on an empty cache.
      await kit.cache!.clear();
    });

    afterEach(() => app.close());

    const users = () => app.get(UserRepo);
    const count = () => kit.kosha.transaction(() => users().count());

    it('registers a user (committed before the 201) and reads it back, the second read from the cache', async () => {
      const created = await request(app.getHttpServer())
        .post('/users')
        .send({ name: 'Ada', email: 'ada@example.com' })
        .expect(201);
      expect(created.body).toMatchObject({ name: 'Ada', email: 'ada@example.com' });
      expect(await count()).toBe(1);

      const path = `/users/${created.body.id}`;
      await request(app.getHttpServer()).get(path).expect(200, created.body);
      await request(app.getHttpServer()).get(path).expect(200, created.body);
      expect([kit.cache!.misses, kit.cache!.hits]).toEqual([1, 1]);
      expect(await kit.cache!.get(`user:${created.body.id}`)).toBeInstanceOf(User);
    });

    it('refuses an email that is taken: 409, nothing written', async () => {
      await kit.load(User, [{ name: 'Ada', email: 'ada@example.com' }]);
      await request(app.getHttpServer())
        .post('/users')
        .send({ name: 'Another Ada', email: 'ada@example.com' })
        .expect(409);
      expect(await count()).toBe(1);
    });

    it('a write that fails after its insert is rolled back with the request (400)', async () => {
      await request(app.getHttpServer())
        .post('/users')
        .send({ name: ' ', email: 'grace@example.com' })
        .expect(400);
      expect(await count()).toBe(0);
      // The email is still free: the insert never committed.
      await request(app.getHttpServer())
        .post('/users')
        .send({ name: 'Grace', email: 'grace@example.com' })
        .expect(201);
    });

    it('answers 404 for a user that does not exist', async () => {
      await request(app.getHttpServer()).get('/users/404').expect(404);
    });
  });
}
