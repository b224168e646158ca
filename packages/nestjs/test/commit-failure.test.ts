import 'reflect-metadata';
import {
  commitFailureResponse,
  DbRepo,
  repository,
  transactional,
  UnexpectedRollbackError,
} from '@kosha/core';
import { createTestKosha, type TestKit } from '@kosha/testing';
import {
  type ArgumentsHost,
  Catch,
  Controller,
  type ExceptionFilter,
  Injectable,
  Module,
  Post,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KoshaModule } from '../src/index.js';
import { nestApp, PLATFORMS } from './support/nest-app.js';
import { User } from './support/users.js';

@repository
@Injectable()
class Users extends DbRepo<User> {
  constructor() {
    super(User);
  }

  @transactional
  async addThenFail(name: string) {
    await this.insertAll([{ name }]);
    throw new Error('refused');
  }
}

// Answers 200 although an inner @transactional failed: the request's transaction is rollback-only, so its
// commit throws UnexpectedRollbackError before the first byte.
@Controller('rollback-only')
class RollbackOnlyController {
  constructor(private readonly users: Users) {}

  @Post()
  async create() {
    await this.users.insertAll([{ name: 'kept?' }]);
    await this.users.addThenFail('inner').catch(() => {});
    return { ok: true };
  }
}

/** An app's filter for the error: the commit's failure is answered before Nest's exception layer sees it. */
const filtered: unknown[] = [];
@Catch(UnexpectedRollbackError)
class CommitFailureFilter implements ExceptionFilter {
  catch(error: UnexpectedRollbackError, host: ArgumentsHost) {
    filtered.push(error);
    const response = host.switchToHttp().getResponse();
    if (typeof response.code === 'function') response.code(503).send({ filtered: true });
    else response.status(503).json({ filtered: true });
  }
}

let kit: TestKit;
beforeEach(async () => {
  kit = await createTestKosha({ entities: [User], cache: false, setDefault: false });
});
afterEach(() => kit.close());

describe('a request whose commit fails', () => {
  for (const platform of PLATFORMS) {
    it(`on ${platform}: answers 500, never the handler's 2xx, and stores nothing`, async () => {
      @Module({ imports: [KoshaModule.forFeature([Users])], controllers: [RollbackOnlyController] })
      class AppModule {}
      const app = await nestApp(platform, [KoshaModule.forRoot({ kosha: kit.kosha }), AppModule]);
      const answer = await request(app.getHttpServer()).post('/rollback-only').expect(500);
      // Kosha's answer on both platforms, not Nest's exception layer's.
      expect(answer.body).toEqual(commitFailureResponse({ code: 'KOSHA_UNEXPECTED_ROLLBACK' }).body);
      expect(await kit.kosha.transaction(() => app.get(Users).count())).toBe(0);
      await app.close();
    });

    it(`on ${platform}: Kosha answers it, not an exception filter of the app`, async () => {
      @Module({
        imports: [KoshaModule.forFeature([Users])],
        controllers: [RollbackOnlyController],
        providers: [{ provide: APP_FILTER, useClass: CommitFailureFilter }],
      })
      class AppModule {}
      const app = await nestApp(platform, [KoshaModule.forRoot({ kosha: kit.kosha }), AppModule]);
      const answer = await request(app.getHttpServer()).post('/rollback-only').expect(500);
      expect(answer.body.code).toBe('KOSHA_UNEXPECTED_ROLLBACK');
      expect(filtered).toEqual([]);
      await app.close();
    });
  }
});
