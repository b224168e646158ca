import assert from 'node:assert/strict';
import { ScopeEndedError } from '@kosha/core';
import { type SuiteRunner, within } from '../suite-runner.js';
import { call, eventually, leaveMidRequest, mapLimit, postInPieces, readStream } from './http-client.js';
import { type HttpSuiteContext, token } from './http-suite-context.js';

/** `mode: 'request'`: one transaction per request, committed before the response leaves. */
export function requestModeTests(runner: SuiteRunner, ctx: () => HttpSuiteContext): void {
  runner.test('commits before the response leaves: a second connection reads the row at once', async () => {
    const { d, post } = ctx();
    const t = token('save');
    const answer = await post('/save', t);
    const committedBeforeAnswer = d.events.includes(`committed:${t}`);
    assert.equal(answer.status, 201);
    assert.equal(committedBeforeAnswer, true);
    assert.equal(await d.count(t), 1);
  });

  runner.test('rolls back when the handler throws after writing: 500, nothing stored', async () => {
    const { d, post } = ctx();
    const t = token('throw');
    const answer = await post('/throw-after-write', t);
    assert.equal(answer.status, 500);
    assert.equal(await d.count(t), 0);
  });

  runner.test('rolls back when the handler answers a 5xx itself', async () => {
    const { d, post } = ctx();
    const t = token('503');
    const answer = await post('/answer-503', t);
    assert.equal(answer.status, 503);
    assert.deepEqual(answer.body, { saved: false });
    assert.equal(await d.count(t), 0);
  });

  runner.test(
    'a commit that fails at COMMIT (deferred constraint) answers 5xx, never 2xx, and stores nothing',
    async () => {
      const { d, post } = ctx();
      const t = token('commit-fails');
      const answer = await post('/commit-fails', t);
      assert.ok(answer.status >= 500, `${answer.status} < 500`);
      assert.match(answer.body.code, /^KOSHA_DB_(UNIQUE|FOREIGN_KEY)_VIOLATION$/);
      assert.equal(await d.count(t), 0);
    },
  );

  runner.test(
    'a success answer after an inner @transactional failed is a 5xx (UnexpectedRollbackError)',
    async () => {
      const { d, post } = ctx();
      const t = token('inner-200');
      const answer = await post('/inner-failure-answer-200', t);
      assert.equal(answer.status, 500);
      assert.equal(answer.body.code, 'KOSHA_UNEXPECTED_ROLLBACK');
      assert.equal(await d.count(t), 0);
    },
  );

  runner.test(
    'an error answer after an inner @transactional failed rolls back and keeps its status',
    async () => {
      const { d, post } = ctx();
      const t = token('inner-409');
      const answer = await post('/inner-failure-answer-409', t);
      assert.equal(answer.status, 409);
      assert.deepEqual(answer.body, { conflict: t });
      assert.equal(await d.count(t), 0);
    },
  );

  runner.test('streams: the commit happens before the first chunk leaves', async () => {
    const { d, server } = ctx();
    const t = token('stream');
    const answer = await readStream(server, '/stream', { token: t }, async () => ({
      committed: d.events.includes(`committed:${t}`),
      rows: await d.count(t),
    }));
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.atFirstChunk, { committed: true, rows: 1 });
    assert.equal(answer.body, `${t}:1;${t}:2;${t}:3;`);
  });

  runner.test('streams: a commit failure never follows a 2xx header, and no chunk is sent', async () => {
    const { d, server } = ctx();
    const t = token('stream-fails');
    const answer = await readStream(server, '/stream-commit-fails', { token: t }, async () => undefined);
    assert.ok(answer.status >= 500, `${answer.status} < 500`);
    assert.ok(!answer.body.includes(`${t}:`));
    assert.equal(await d.count(t), 0);
  });

  runner.test('a client that leaves mid-request: rolled back, and the connection is released', async () => {
    const { d, server, checkpoints, pooled, post } = ctx();
    const t = token('abort');
    const inUse = () => {
      const p = d.pool();
      return p ? p.total - p.idle : 0;
    };
    const baseline = { ...d.pool() };
    const left = leaveMidRequest(server, '/slow', { token: t }, checkpoints.reached(t));
    await checkpoints.reached(t);
    if (pooled) assert.equal(inUse(), 1);
    await left;
    await eventually(() => inUse() === 0, 5000, 'the pool to get its connection back');
    if (pooled) assert.ok(d.pool()!.idle >= baseline.idle!, 'the pool has its idle connections back');
    assert.equal(await d.count(t), 0);
    // The handler goes on after the client left; what it did before must stay rolled back.
    checkpoints.release(t);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await d.count(t), 0);
    // The connection (SQLite: the one connection) is free for the next request.
    const next = await within(5000, post('/save', token('after-abort')), 'the next request');
    assert.equal(next.status, 201);
  });

  runner.test(
    '1,000 concurrent requests: each gets its own session and its own data, each row committed once',
    async () => {
      const { d, post } = ctx();
      const tokens = Array.from({ length: 1000 }, () => token('echo'));
      const answers = await mapLimit(tokens, 100, (t) => post('/echo', t));
      answers.forEach((answer, i) => {
        assert.equal(answer.status, 200);
        assert.equal(answer.body.token, tokens[i]);
        assert.equal(answer.body.ownSession, true);
      });
      assert.equal(new Set(answers.map((a) => a.body.id)).size, 1000);
      const counts = await mapLimit(tokens, 10, (t) => d.count(t));
      assert.ok(
        counts.every((n) => n === 1),
        'every row committed once',
      );
    },
  );

  runner.test(
    'work a request leaves running fails with ScopeEndedError once the request ended, and saves nothing',
    async () => {
      const { d, background, post } = ctx();
      const t = token('later');
      const answer = await post('/respond-then-work', t);
      assert.equal(answer.status, 202);
      await eventually(() => background.has(t), 5000, 'the left-behind job');
      const error = background.get(t)?.error;
      assert.ok(error instanceof ScopeEndedError, String(error));
      assert.equal(error.code, 'KOSHA_SCOPE_ENDED');
      assert.equal(await d.count(t), 0);
    },
  );

  runner.test(
    'work started with kosha.background runs on its own session (the background path)',
    async () => {
      const { d, background, post } = ctx();
      const t = token('detached');
      assert.equal((await post('/respond-then-detach', t)).status, 202);
      await eventually(() => background.has(t), 5000, 'the background job');
      assert.deepEqual(background.get(t), { sameSessionAsRequest: false });
      assert.equal(await d.count(t), 1);
      assert.ok(
        d.logger.lines.some(
          (l) => l.level === 'warn' && /saveInBackground ran with no session/.test(l.message),
        ),
        'a warning names the method that ran with no session',
      );
    },
  );

  runner.test('a client that leaves mid-method: neither half of the method is committed', async () => {
    const { d, server, checkpoints } = ctx();
    const t = token('mid-method');
    await leaveMidRequest(server, '/slow-method', { token: t }, checkpoints.reached(t));
    // Give the server time to see the socket close before the method goes on.
    await new Promise((r) => setTimeout(r, 200));
    checkpoints.release(t);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await d.count(`${t}-1`), 0);
    assert.equal(await d.count(`${t}-2`), 0);
  });

  runner.test('one transaction for the request: two @transactional calls roll back together', async () => {
    const { d, post } = ctx();
    const t = token('two-request');
    const answer = await post('/two-transactions', t);
    assert.equal(answer.status, 500);
    assert.equal(await d.count(`${t}-a`), 0);
  });

  runner.test('the session is bound after body parsing and awaits; `skip` requests get none', async () => {
    const { server, post } = ctx();
    assert.deepEqual((await post('/session', token('session'))).body, { session: true });
    assert.deepEqual((await call(server, '/health')).body, { session: false });
  });

  runner.test("a body that arrives after the session opened is parsed in the request's context", async () => {
    const { d, server } = ctx();
    const t = token('pieces');
    assert.deepEqual((await postInPieces(server, '/session', { token: t })).body, { session: true });
    const answer = await postInPieces(server, '/throw-after-write', { token: t });
    assert.equal(answer.status, 500);
    assert.equal(await d.count(t), 0);
  });
}
