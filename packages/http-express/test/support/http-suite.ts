// The HTTP adapter suite: the behaviour every Kosha HTTP adapter must have, against a real server on
// 127.0.0.1, on SQLite in memory always and on PostgreSQL when reachable (CI: always). An adapter's suite
// file only says how to start its framework with the scenario routes.
import { type Kosha, ScopeEndedError } from '@kosha/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Answer,
  call,
  eventually,
  leaveMidRequest,
  mapLimit,
  postInPieces,
  readStream,
  type TestServer,
  within,
} from './client.js';
import { DATABASES, type Database, openDatabase } from './fixtures.js';
import { type BackgroundResult, Checkpoints, type Routes, scenarioRoutes } from './scenarios.js';

/** How the suite starts one framework. */
export interface HttpAdapter {
  /** The framework's name, for test titles. */
  readonly name: string;
  /**
   * Starts a server on 127.0.0.1, port 0: the adapter in `mode` with a `skip` for `skipPath`, a JSON body
   * parser, and `POST <path>` for every route (plus `GET` for `skipPath`).
   */
  start(
    kosha: Kosha,
    options: { mode: 'request' | 'method'; skipPath: string },
    routes: Routes,
  ): Promise<TestServer>;
}

let counter = 0;
const token = (what: string) => `${what}-${process.pid}-${++counter}`;

/** Registers the suite for `adapter` on every available database. */
export function httpAdapterSuite(adapter: HttpAdapter): void {
  for (const db of DATABASES) {
    describe.skipIf(!db.available)(`${adapter.name} on ${db.name}`, () => {
      let d: Database;
      let server: TestServer;
      let methodServer: TestServer;
      const checkpoints = new Checkpoints();
      const background = new Map<string, BackgroundResult>();

      beforeAll(async () => {
        d = await openDatabase(db);
        const routes = scenarioRoutes(d, checkpoints, background);
        const withHealth = { ...routes, '/health': routes['/session']! };
        server = await adapter.start(d.kosha, { mode: 'request', skipPath: '/health' }, withHealth);
        methodServer = await adapter.start(d.kosha, { mode: 'method', skipPath: '/health' }, withHealth);
      });

      afterAll(async () => {
        await server?.close();
        await methodServer?.close();
        await d?.close();
      });

      const post = (path: string, t: string, target = server): Promise<Answer> =>
        call(target, path, { token: t });

      describe("mode: 'request'", () => {
        it('commits before the response leaves: a second connection reads the row at once', async () => {
          const t = token('save');
          const answer = await post('/save', t);
          const committedBeforeAnswer = d.events.includes(`committed:${t}`);
          expect(answer.status).toBe(201);
          expect(committedBeforeAnswer).toBe(true);
          expect(await d.count(t)).toBe(1);
        });

        it('rolls back when the handler throws after writing: 500, nothing stored', async () => {
          const t = token('throw');
          const answer = await post('/throw-after-write', t);
          expect(answer.status).toBe(500);
          expect(await d.count(t)).toBe(0);
        });

        it('rolls back when the handler answers a 5xx itself', async () => {
          const t = token('503');
          const answer = await post('/answer-503', t);
          expect(answer.status).toBe(503);
          expect(answer.body).toEqual({ saved: false });
          expect(await d.count(t)).toBe(0);
        });

        it('a commit that fails at COMMIT (deferred constraint) answers 5xx, never 2xx, and stores nothing', async () => {
          const t = token('commit-fails');
          const answer = await post('/commit-fails', t);
          expect(answer.status).toBeGreaterThanOrEqual(500);
          expect(answer.body.code).toMatch(/^KOSHA_DB_(UNIQUE|FOREIGN_KEY)_VIOLATION$/);
          expect(await d.count(t)).toBe(0);
        });

        it('a success answer after an inner @transactional failed is a 5xx (UnexpectedRollbackError)', async () => {
          const t = token('inner-200');
          const answer = await post('/inner-failure-answer-200', t);
          expect(answer.status).toBe(500);
          expect(answer.body.code).toBe('KOSHA_UNEXPECTED_ROLLBACK');
          expect(await d.count(t)).toBe(0);
        });

        it('an error answer after an inner @transactional failed rolls back and keeps its status', async () => {
          const t = token('inner-409');
          const answer = await post('/inner-failure-answer-409', t);
          expect(answer.status).toBe(409);
          expect(answer.body).toEqual({ conflict: t });
          expect(await d.count(t)).toBe(0);
        });

        it('streams: the commit happens before the first chunk leaves', async () => {
          const t = token('stream');
          const answer = await readStream(server, '/stream', { token: t }, async () => ({
            committed: d.events.includes(`committed:${t}`),
            rows: await d.count(t),
          }));
          expect(answer.status).toBe(200);
          expect(answer.atFirstChunk).toEqual({ committed: true, rows: 1 });
          expect(answer.body).toBe(`${t}:1;${t}:2;${t}:3;`);
        });

        it('streams: a commit failure never follows a 2xx header, and no chunk is sent', async () => {
          const t = token('stream-fails');
          const answer = await readStream(
            server,
            '/stream-commit-fails',
            { token: t },
            async () => undefined,
          );
          expect(answer.status).toBeGreaterThanOrEqual(500);
          expect(answer.body).not.toContain(`${t}:`);
          expect(await d.count(t)).toBe(0);
        });

        it('a client that leaves mid-request: rolled back, and the connection is released', async () => {
          const t = token('abort');
          const inUse = () => {
            const p = d.pool();
            return p ? p.total - p.idle : 0;
          };
          const baseline = { ...d.pool() };
          const left = leaveMidRequest(server, '/slow', { token: t }, checkpoints.reached(t));
          await checkpoints.reached(t);
          if (db.name === 'PostgreSQL') expect(inUse()).toBe(1);
          await left;
          await eventually(() => inUse() === 0, 5000, 'the pool to get its connection back');
          if (db.name === 'PostgreSQL') expect(d.pool()!.idle).toBeGreaterThanOrEqual(baseline.idle!);
          expect(await d.count(t)).toBe(0);
          // The handler goes on after the client left; what it did before must stay rolled back.
          checkpoints.release(t);
          await new Promise((r) => setTimeout(r, 50));
          expect(await d.count(t)).toBe(0);
          // The connection (SQLite: the one connection) is free for the next request.
          const next = await within(5000, post('/save', token('after-abort')), 'the next request');
          expect(next.status).toBe(201);
        });

        it('1,000 concurrent requests: each gets its own session and its own data, each row committed once', async () => {
          const tokens = Array.from({ length: 1000 }, () => token('echo'));
          const answers = await mapLimit(tokens, 100, (t) => post('/echo', t));
          answers.forEach((answer, i) => {
            expect(answer.status).toBe(200);
            expect(answer.body).toMatchObject({ token: tokens[i], ownSession: true });
          });
          expect(new Set(answers.map((a) => a.body.id)).size).toBe(1000);
          const counts = await mapLimit(tokens, 10, (t) => d.count(t));
          expect(counts.every((n) => n === 1)).toBe(true);
        });

        it('work a request leaves running fails with ScopeEndedError once the request ended, and saves nothing', async () => {
          const t = token('later');
          const answer = await post('/respond-then-work', t);
          expect(answer.status).toBe(202);
          await eventually(() => background.has(t), 5000, 'the left-behind job');
          expect(background.get(t)?.error).toBeInstanceOf(ScopeEndedError);
          expect(background.get(t)?.error).toMatchObject({ code: 'KOSHA_SCOPE_ENDED' });
          expect(await d.count(t)).toBe(0);
        });

        it('work started with kosha.background runs on its own session (the background path)', async () => {
          const t = token('detached');
          expect((await post('/respond-then-detach', t)).status).toBe(202);
          await eventually(() => background.has(t), 5000, 'the background job');
          expect(background.get(t)).toEqual({ sameSessionAsRequest: false });
          expect(await d.count(t)).toBe(1);
          expect(
            d.logger.lines.some(
              (l) => l.level === 'warn' && /saveInBackground ran with no session/.test(l.message),
            ),
          ).toBe(true);
        });

        it('a client that leaves mid-method: neither half of the method is committed', async () => {
          const t = token('mid-method');
          await leaveMidRequest(server, '/slow-method', { token: t }, checkpoints.reached(t));
          // Give the server time to see the socket close before the method goes on.
          await new Promise((r) => setTimeout(r, 200));
          checkpoints.release(t);
          await new Promise((r) => setTimeout(r, 100));
          expect(await d.count(`${t}-1`)).toBe(0);
          expect(await d.count(`${t}-2`)).toBe(0);
        });

        it('one transaction for the request: two @transactional calls roll back together', async () => {
          const t = token('two-request');
          const answer = await post('/two-transactions', t);
          expect(answer.status).toBe(500);
          expect(await d.count(`${t}-a`)).toBe(0);
        });

        it('the session is bound after body parsing and awaits; `skip` requests get none', async () => {
          expect((await post('/session', token('session'))).body).toEqual({ session: true });
          expect((await call(server, '/health')).body).toEqual({ session: false });
        });

        it("a body that arrives after the session opened is parsed in the request's context", async () => {
          const t = token('pieces');
          expect((await postInPieces(server, '/session', { token: t })).body).toEqual({ session: true });
          const answer = await postInPieces(server, '/throw-after-write', { token: t });
          expect(answer.status).toBe(500);
          expect(await d.count(t)).toBe(0);
        });
      });

      describe("mode: 'method'", () => {
        it('two @transactional calls in one handler commit independently', async () => {
          const t = token('two-method');
          const answer = await post('/two-transactions', t, methodServer);
          expect(answer.status).toBe(500);
          expect(await d.count(`${t}-a`)).toBe(1);
          expect(await d.count(`${t}-b`)).toBe(0);
        });

        it('the handler has a session, and what it saves is committed before it answers', async () => {
          const t = token('method-save');
          expect((await post('/session', t, methodServer)).body).toEqual({ session: true });
          expect((await post('/save', t, methodServer)).status).toBe(201);
          expect(d.events).toContain(`committed:${t}`);
          expect(await d.count(t)).toBe(1);
        });

        it('work a request leaves running fails with ScopeEndedError; kosha.background work runs on its own', async () => {
          const t = token('method-later');
          expect((await post('/respond-then-work', t, methodServer)).status).toBe(202);
          await eventually(() => background.has(t), 5000, 'the left-behind job');
          expect(background.get(t)?.error).toBeInstanceOf(ScopeEndedError);
          expect(await d.count(t)).toBe(0);
          const t2 = token('method-detached');
          expect((await post('/respond-then-detach', t2, methodServer)).status).toBe(202);
          await eventually(() => background.has(t2), 5000, 'the background job');
          expect(background.get(t2)).toEqual({ sameSessionAsRequest: false });
          expect(await d.count(t2)).toBe(1);
        });

        it('a client that leaves mid-method: the method is rolled back, its second half never runs', async () => {
          const t = token('method-mid');
          await leaveMidRequest(methodServer, '/slow-method', { token: t }, checkpoints.reached(t));
          // Give the server time to see the socket close before the method goes on.
          await new Promise((r) => setTimeout(r, 200));
          checkpoints.release(t);
          await new Promise((r) => setTimeout(r, 100));
          expect(await d.count(`${t}-1`)).toBe(0);
          expect(await d.count(`${t}-2`)).toBe(0);
        });

        it('a client that leaves mid-request: the session is closed, the connection released', async () => {
          const t = token('method-abort');
          const left = leaveMidRequest(methodServer, '/slow', { token: t }, checkpoints.reached(t));
          await left;
          checkpoints.release(t);
          await eventually(() => {
            const p = d.pool();
            return !p || p.total === p.idle;
          });
          // @transactional committed the save before the handler waited: method mode has no request transaction.
          expect(await d.count(t)).toBe(1);
        });
      });
    });
  }
}
