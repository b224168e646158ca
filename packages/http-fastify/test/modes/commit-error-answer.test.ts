// dbPlugin's onCommitError: the app's answer to a failed commit instead of the error handler's, in both
// transaction modes, on SQLite in memory. Under test/modes/: it runs with both decorator modes' fixtures.
import { Readable } from 'node:stream';
import { type HttpDatabase, openHttpDatabase } from '@kosha/conformance';
import { commitFailureResponse } from '@kosha/core';
import { testDatabases } from '@kosha/testing/conformance';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DbPluginOptions, dbPlugin } from '../../src/index.js';

let d: HttpDatabase;
let app: FastifyInstance | undefined;
let n = 0;
const token = () => `answer-${++n}`;

beforeAll(async () => {
  const [sqlite] = await testDatabases(['sqlite']);
  d = await openHttpDatabase(sqlite!);
});
afterEach(async () => {
  await app?.close();
  app = undefined;
});
afterAll(() => d?.close());

/**
 * An app with the plugin and an error handler that answers 418 with the error's code, so a test sees which
 * of the two answered. `POST /` saves a note with the body's token, then writes a row the COMMIT refuses.
 */
async function appWith(
  options: Omit<DbPluginOptions, 'kosha'>,
  reply: (token: string, r: FastifyReply) => unknown = (t) => ({ saved: t }),
): Promise<FastifyInstance> {
  app = Fastify();
  await app.register(dbPlugin, { kosha: d.kosha, ...options });
  app.setErrorHandler((error: { code?: string }, _request, r) => r.code(418).send({ handler: error.code }));
  app.post('/', async (request, r) => {
    const t = (request.body as { token: string }).token;
    await d.notes.save(t);
    await d.codes.violateAtCommit();
    return reply(t, r);
  });
  return app;
}

const post = (a: FastifyInstance, t: string) => a.inject({ method: 'POST', url: '/', payload: { token: t } });

describe("onCommitError, mode 'request'", () => {
  it('answers instead of the error handler: its status and body, and nothing is stored', async () => {
    const t = token();
    const seen: unknown[] = [];
    const a = await appWith({
      onCommitError: (error, request, reply) => {
        seen.push(request.url);
        reply.code(409).send({ conflict: (error as { code?: string }).code });
      },
    });
    const answer = await post(a, t);
    expect(answer.statusCode).toBe(409);
    expect(answer.json()).toEqual({ conflict: 'KOSHA_DB_FOREIGN_KEY_VIOLATION' });
    expect(seen).toEqual(['/']);
    expect(await d.count(t)).toBe(0);
  });

  it("returns the body (or a promise of it), here core's answer; the handler's content headers are gone", async () => {
    const answers: DbPluginOptions['onCommitError'][] = [
      (error, _request, reply) => {
        const { statusCode, body } = commitFailureResponse(error);
        reply.code(statusCode);
        return body;
      },
      async (error, _request, reply) => {
        reply.code(503);
        return { retry: (error as { code?: string }).code };
      },
    ];
    const [sync, promised] = [token(), token()];
    // The handler's reply is a text stream: the answer is JSON all the same, with its own length.
    const stream = (t: string, r: FastifyReply) => r.type('text/plain').send(Readable.from([t, ' and more']));
    const first = await post(await appWith({ onCommitError: answers[0] }, stream), sync);
    expect(first.statusCode).toBe(500);
    expect(first.headers['content-type']).toMatch(/^application\/json/);
    expect(first.json()).toMatchObject({ statusCode: 500, code: 'KOSHA_DB_FOREIGN_KEY_VIOLATION' });
    expect(Number(first.headers['content-length'])).toBe(first.rawPayload.length);
    await app!.close();
    const second = await post(await appWith({ onCommitError: answers[1] }), promised);
    expect(second.statusCode).toBe(503);
    expect(second.json()).toEqual({ retry: 'KOSHA_DB_FOREIGN_KEY_VIOLATION' });
    expect([await d.count(sync), await d.count(promised)]).toEqual([0, 0]);
  });

  it('cannot make a failed commit look like a success: a status below 400 is raised to 500', async () => {
    const a = await appWith({
      onCommitError: (_error, _request, reply) => reply.code(200).send({ fine: true }),
    });
    expect((await post(a, token())).statusCode).toBe(500);
    await app!.close();
    const returned = await appWith({ onCommitError: () => ({ fine: true }) });
    expect((await post(returned, token())).statusCode).toBe(500);
  });

  it('an error it throws, or its promise rejects with, goes to the error handler', async () => {
    const broken = Object.assign(new Error('the answer broke'), { code: 'ANSWER_BROKE' });
    const thrown = await appWith({
      onCommitError: () => {
        throw broken;
      },
    });
    expect((await post(thrown, token())).json()).toEqual({ handler: 'ANSWER_BROKE' });
    await app!.close();
    const rejected = await appWith({ onCommitError: () => Promise.reject(broken) });
    expect((await post(rejected, token())).json()).toEqual({ handler: 'ANSWER_BROKE' });
  });

  it('unset, the error handler answers as before', async () => {
    const a = await appWith({ onCommitError: undefined });
    const answer = await post(a, token());
    expect([answer.statusCode, answer.json()]).toEqual([418, { handler: 'KOSHA_DB_FOREIGN_KEY_VIOLATION' }]);
  });
});

describe("onCommitError, mode 'method'", () => {
  it("is not called: the outermost @transactional call's failed commit is an error of the handler", async () => {
    const seen: unknown[] = [];
    const a = await appWith({ mode: 'method', onCommitError: (error) => seen.push(error) });
    const t = token();
    const answer = await post(a, t);
    expect([answer.statusCode, answer.json()]).toEqual([418, { handler: 'KOSHA_DB_FOREIGN_KEY_VIOLATION' }]);
    expect(seen).toEqual([]);
    // The note's own call committed before the refused row was written.
    expect(await d.count(t)).toBe(1);
  });
});
