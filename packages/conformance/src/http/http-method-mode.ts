import assert from 'node:assert/strict';
import { ScopeEndedError } from '@kosha/core';
import type { SuiteRunner } from '../suite-runner.js';
import { eventually, leaveMidRequest } from './http-client.js';
import { type HttpSuiteContext, token } from './http-suite-context.js';

/** `mode: 'method'`: the request only scopes the session; each outermost `@transactional` commits itself. */
export function methodModeTests(runner: SuiteRunner, ctx: () => HttpSuiteContext): void {
  runner.test('two @transactional calls in one handler commit independently', async () => {
    const { d, methodServer, post } = ctx();
    const t = token('two-method');
    const answer = await post('/two-transactions', t, methodServer);
    assert.equal(answer.status, 500);
    assert.equal(await d.count(`${t}-a`), 1);
    assert.equal(await d.count(`${t}-b`), 0);
  });

  runner.test('the handler has a session, and what it saves is committed before it answers', async () => {
    const { d, methodServer, post } = ctx();
    const t = token('method-save');
    assert.deepEqual((await post('/session', t, methodServer)).body, { session: true });
    assert.equal((await post('/save', t, methodServer)).status, 201);
    assert.ok(d.events.includes(`committed:${t}`));
    assert.equal(await d.count(t), 1);
  });

  runner.test(
    'work a request leaves running fails with ScopeEndedError; kosha.background work runs on its own',
    async () => {
      const { d, methodServer, background, post } = ctx();
      const t = token('method-later');
      assert.equal((await post('/respond-then-work', t, methodServer)).status, 202);
      await eventually(() => background.has(t), 5000, 'the left-behind job');
      assert.ok(background.get(t)?.error instanceof ScopeEndedError, String(background.get(t)?.error));
      assert.equal(await d.count(t), 0);
      const t2 = token('method-detached');
      assert.equal((await post('/respond-then-detach', t2, methodServer)).status, 202);
      await eventually(() => background.has(t2), 5000, 'the background job');
      assert.deepEqual(background.get(t2), { sameSessionAsRequest: false });
      assert.equal(await d.count(t2), 1);
    },
  );

  runner.test(
    'a client that leaves mid-method: the method is rolled back, its second half never runs',
    async () => {
      const { d, methodServer, checkpoints } = ctx();
      const t = token('method-mid');
      await leaveMidRequest(methodServer, '/slow-method', { token: t }, checkpoints.reached(t));
      // Give the server time to see the socket close before the method goes on.
      await new Promise((r) => setTimeout(r, 200));
      checkpoints.release(t);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(await d.count(`${t}-1`), 0);
      assert.equal(await d.count(`${t}-2`), 0);
    },
  );

  runner.test(
    'a client that leaves mid-request: the session is closed, the connection released',
    async () => {
      const { d, methodServer, checkpoints } = ctx();
      const t = token('method-abort');
      const left = leaveMidRequest(methodServer, '/slow', { token: t }, checkpoints.reached(t));
      await left;
      checkpoints.release(t);
      await eventually(() => {
        const p = d.pool();
        return !p || p.total === p.idle;
      });
      // @transactional committed the save before the handler waited: method mode has no request transaction.
      assert.equal(await d.count(t), 1);
    },
  );
}
