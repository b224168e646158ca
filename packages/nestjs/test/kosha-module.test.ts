import 'reflect-metadata';
import { ConfigError, currentSession, getKosha, Kosha, NoSessionError } from '@kosha/core';
import { createTestKosha, type TestKit } from '@kosha/testing';
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { KoshaModule } from '../src/index.js';
import { nestApp, PLATFORMS } from './support/nest-app.js';
import { Clock, RolesGuard, User, UserController, UserRepo, UserService } from './support/users.js';

@Module({ providers: [Clock], exports: [Clock] })
class ClockModule {}

@Module({
  imports: [KoshaModule.forFeature([UserRepo], { imports: [ClockModule] })],
  controllers: [UserController],
  providers: [UserService, RolesGuard],
  exports: [UserService],
})
class UsersModule {}

const kits: TestKit[] = [];
/** A test kit that is not the process default: nothing here may fall back on getKosha(). */
async function kit(): Promise<TestKit> {
  const k = await createTestKosha({ entities: [User], cache: 'memory', setDefault: false });
  kits.push(k);
  return k;
}
afterEach(async () => {
  for (const k of kits.splice(0)) await k.close();
});

describe('KoshaModule.forRoot / forFeature', () => {
  it('there is no process default in this file: the module’s instance is what everything uses', () => {
    expect(() => getKosha()).toThrow(ConfigError);
  });

  it('injects repositories bound to the module’s instance, built with their own dependencies', async () => {
    const k = await kit();
    const app = await nestApp('express', [KoshaModule.forRoot({ kosha: k.kosha }), UsersModule]);
    const service = app.get(UserService);
    expect(service.users).toBeInstanceOf(UserRepo);
    expect(service.users.clock).toBeInstanceOf(Clock);
    expect(app.get(UserRepo)).toBe(service.users);
    const ada = await service.create('Ada');
    expect(await service.users.get(ada.id)).toMatchObject({ name: 'Ada' });
    await app.close();
  });

  it('the Kosha class is the token: by type and with @InjectKosha', async () => {
    const k = await kit();
    const app = await nestApp('express', [KoshaModule.forRoot(k.kosha), UsersModule]);
    expect(app.get(Kosha)).toBe(k.kosha);
    expect(app.get(UserService).kosha).toBe(k.kosha);
    expect(app.get(UserController).kosha).toBe(k.kosha);
    await app.close();
  });

  it('two Nest apps in one process, each on its own Kosha: their repositories never mix', async () => {
    const [a, b] = [await kit(), await kit()];
    const appA = await nestApp('express', [KoshaModule.forRoot({ kosha: a.kosha }), UsersModule]);
    const appB = await nestApp('fastify', [KoshaModule.forRoot({ kosha: b.kosha }), UsersModule]);
    const ada = await appA.get(UserService).create('Ada');
    await appB.get(UserService).create('Grace');
    await appB.get(UserService).create('Linus');
    expect(await a.kosha.transaction(() => appA.get(UserRepo).count())).toBe(1);
    expect(await appB.get(UserRepo).count()).toBe(2);
    expect(await appA.get(UserRepo).getById(ada.id)).toMatchObject({ name: 'Ada' });
    await appA.close();
    await appB.close();
  });

  it('forRootAsync: the options from a factory with injected providers and imports', async () => {
    const k = await kit();
    @Injectable()
    class Settings {
      readonly kosha = k.kosha;
    }
    @Module({ providers: [Settings], exports: [Settings] })
    class SettingsModule {}
    const app = await nestApp('express', [
      KoshaModule.forRootAsync({
        imports: [SettingsModule],
        inject: [Settings],
        useFactory: (settings: Settings) => ({ kosha: settings.kosha, request: false as const }),
      }),
      UsersModule,
    ]);
    expect(app.get(Kosha)).toBe(k.kosha);
    await app.close();
  });

  it('closes on shutdown the instance it created, not one it was given', async () => {
    const given = await kit();
    const appGiven = await nestApp('express', [KoshaModule.forRoot({ kosha: given.kosha })]);
    await appGiven.close();
    expect(given.kosha.closed).toBe(false);

    const app = await nestApp('express', [
      KoshaModule.forRoot({ orm: { url: 'sqlite::memory:' }, entities: [User], setDefault: false }),
    ]);
    const created = app.get(Kosha);
    expect(created).not.toBe(given.kosha);
    await app.close();
    expect(created.closed).toBe(true);
  });

  it('an application context without HTTP gets the instance and no request session', async () => {
    const k = await kit();
    @Module({ imports: [KoshaModule.forRoot({ kosha: k.kosha }), UsersModule] })
    class WorkerModule {}
    const ctx = await NestFactory.createApplicationContext(WorkerModule, {
      logger: false,
      abortOnError: false,
    });
    expect(ctx.get(Kosha)).toBe(k.kosha);
    expect((await ctx.get(UserService).create('Ada')).id).toBeGreaterThan(0);
    await ctx.close();
  });

  it('refuses a bad request option at start-up with a ConfigError naming it', async () => {
    const k = await kit();
    const start = nestApp('express', [
      KoshaModule.forRoot({ kosha: k.kosha, request: { mode: 'everything' as 'request' } }),
    ]);
    await expect(start).rejects.toThrow(/KoshaModule\.forRoot request: `mode` must be 'request' or 'method'/);
  });
});

/** Says whether the request has a session: `GET /` and `GET /deep/path`. */
@Controller()
class SessionController {
  constructor(private readonly kosha: Kosha) {}

  #hasSession() {
    try {
      currentSession(this.kosha);
      return { session: true };
    } catch (error) {
      if (error instanceof NoSessionError) return { session: false };
      throw error;
    }
  }

  @Get()
  root() {
    return this.#hasSession();
  }

  @Get('deep/path')
  deep() {
    return this.#hasSession();
  }
}

describe('the request session', () => {
  for (const platform of PLATFORMS) {
    it(`on ${platform}: every route has one, the root path too; skip and request: false leave it out`, async () => {
      const k = await kit();
      @Module({ controllers: [SessionController] })
      class Routes {}
      const app = await nestApp(platform, [
        KoshaModule.forRoot({ kosha: k.kosha, request: { skip: ({ url }) => url === '/deep/path?skip' } }),
        Routes,
      ]);
      await request(app.getHttpServer()).get('/').expect(200, { session: true });
      await request(app.getHttpServer()).get('/deep/path').expect(200, { session: true });
      await request(app.getHttpServer()).get('/deep/path?skip').expect(200, { session: false });
      await app.close();

      const none = await nestApp(platform, [KoshaModule.forRoot({ kosha: k.kosha, request: false }), Routes]);
      await request(none.getHttpServer()).get('/').expect(200, { session: false });
      await none.close();
    });
  }
});

describe('@transactional among Nest decorators', () => {
  it('metadata set below @transactional on a service method is read above it (Reflector)', () => {
    expect(new Reflector().get('audit', UserService.prototype.create)).toBe('user.create');
  });

  for (const platform of PLATFORMS) {
    describe(`over HTTP on ${platform}`, () => {
      it('a guard reads @Roles above and below @transactional; interceptors run; the write commits', async () => {
        const k = await kit();
        const app = await nestApp(platform, [KoshaModule.forRoot({ kosha: k.kosha }), UsersModule]);
        const server = app.getHttpServer();
        await request(server).post('/users').set('x-role', 'reader').send({ name: 'Ada' }).expect(403);
        const created = await request(server)
          .post('/users')
          .set('x-role', 'admin')
          .send({ name: 'Ada' })
          .expect(201)
          .expect('x-intercepted', 'yes');
        const got = await request(server)
          .get(`/users/${created.body.id}`)
          .set('x-role', 'reader')
          .expect(200);
        expect(got.headers['x-intercepted']).toBe('yes');
        expect(got.body).toMatchObject({ id: created.body.id, name: 'Ada' });
        await app.close();
      });

      it('a handler that throws after writing rolls the request back (500, nothing stored)', async () => {
        const k = await kit();
        const app = await nestApp(platform, [KoshaModule.forRoot({ kosha: k.kosha }), UsersModule]);
        await request(app.getHttpServer())
          .post('/users')
          .set('x-role', 'admin')
          .send({ name: 'fail' })
          .expect(500);
        expect(await app.get(UserRepo).count()).toBe(0);
        await app.close();
      });
    });
  }
});
