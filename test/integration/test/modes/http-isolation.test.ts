// HTTP requests made inside an isolated test: each one joins the test's transaction as a savepoint, one
// request at a time, so a route sees the test's fixtures and its writes are rolled back with the test.
// On Express 5 (a listening server) and Fastify 5 (inject, and a listening server), in both adapter modes,
// under koshaTest's rollback isolation and under kit.isolate.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kosha, Logger } from '@kosha/core';
import { createTestKosha, type TestKit } from '@kosha/testing';
import { koshaTest } from '@kosha/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Answer,
  type App,
  counted,
  deferred,
  FRAMEWORKS,
  type Framework,
  type Method,
  MODES,
  type Mode,
  Note,
  NoteRepo,
  routes,
  slowRoute,
} from '../support/isolation-apps.js';

/** What a test body gets. */
interface TestContext {
  /** Loads fixture rows in the test's transaction. */
  load(tokens: string[]): Promise<Note[]>;
}

/** A way of isolating tests: koshaTest's rollback isolation, or kit.isolate. */
interface Isolation {
  readonly name: string;
  /** The instance the app and the routes use; `undefined`: the default one, as in an application. */
  kosha(): Kosha | undefined;
  /**
   * Declares a test whose body runs isolated; `afterwards` runs once its transaction was rolled back (the
   * next test, or after kit.isolate returned).
   */
  test(name: string, body: (t: TestContext) => Promise<void>, afterwards?: () => Promise<void>): void;
}

// The adapters log the failed commits these tests provoke; they are expected.
const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const test = koshaTest({ entities: [Note], isolation: 'rollback', logger });

/** Fixture rows of notes. */
const rows = (tokens: string[]) => tokens.map((token) => ({ token }));

const underKoshaTest: Isolation = {
  name: "koshaTest({ isolation: 'rollback' })",
  kosha: () => undefined,
  test(name, body, afterwards) {
    test(name, ({ fixtures }) => body({ load: (tokens) => fixtures.load(Note, rows(tokens)) }));
    if (afterwards) test(`${name}: gone after the test`, afterwards);
  },
};

let kit: TestKit;

const underIsolate: Isolation = {
  name: 'kit.isolate',
  kosha: () => kit.kosha,
  test(name, body, afterwards) {
    it(name, async () => {
      const isolated = kit.isolate(() => body({ load: (tokens) => kit.load(Note, rows(tokens)) }));
      await within(5_000, isolated);
      await afterwards?.();
    });
  },
};

/** Resolves with `promise`, or rejects when it takes longer than `ms`: a test that hangs fails saying so. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function httpIsolationSuite(isolation: Isolation, framework: Framework, mode: Mode) {
  describe(`${framework.name}, mode '${mode}'`, () => {
    let app: App;
    const notes = () => new NoteRepo(isolation.kosha());
    // Bounded: a request that waits for a connection the test holds fails in seconds, not at the test timeout.
    const send = (method: Method, path: string, token?: string) =>
      within(5_000, app.send(method, path, token));

    beforeAll(async () => {
      app = await framework.start(routes(isolation.kosha()), mode, isolation.kosha());
    });
    afterAll(async () => {
      slowRoute.gate.resolve();
      await app?.close();
    });

    isolation.test('a GET route sees the rows the test loaded', async ({ load }) => {
      await load(['fixture-a', 'fixture-b']);
      const answer = await send('GET', '/notes');
      expect(answer).toEqual({ status: 200, body: ['fixture-a', 'fixture-b'] });
    });

    isolation.test(
      "a POST route's insert is visible to the test after the response, in the same transaction",
      async () => {
        const answer = await send('POST', '/notes', 'posted');
        expect(answer.status).toBe(201);
        expect(answer.body).toMatchObject({ token: 'posted' });
        expect(await notes().tokens()).toEqual(['posted']);
        expect(await notes().getById(answer.body.id)).toMatchObject({ token: 'posted' });
      },
      async () => {
        expect(await notes().tokens()).toEqual([]);
      },
    );

    isolation.test(
      'a route that fails in its @transactional call answers 5xx and rolls back its own writes only',
      async ({ load }) => {
        await load(['kept']);
        const answer = await send('POST', '/notes/failing', 'lost');
        expect(answer.status).toBeGreaterThanOrEqual(500);
        expect(await notes().tokens()).toEqual(['kept']);
        // The test's transaction goes on: it still writes, and the next request works.
        await notes().save('after');
        expect(await send('GET', '/notes')).toEqual({ status: 200, body: ['after', 'kept'] });
      },
    );

    isolation.test(
      mode === 'request'
        ? 'a route that throws after saving answers 5xx, and its request transaction is rolled back'
        : 'a route that throws after a @transactional call returned answers 5xx; that call stays committed',
      async ({ load }) => {
        await load(['kept']);
        const answer = await send('POST', '/notes/save-then-throw', 'saved');
        expect(answer.status).toBeGreaterThanOrEqual(500);
        // As in production: mode 'request' rolls the whole request back; in mode 'method' each
        // @transactional call commits its own work (here: releases its savepoint into the test's transaction).
        expect(await notes().tokens()).toEqual(mode === 'request' ? ['kept'] : ['kept', 'saved']);
      },
      async () => {
        expect(await notes().tokens()).toEqual([]);
      },
    );

    isolation.test(
      mode === 'request'
        ? 'a route whose inner @transactional call failed and that answers 200 becomes a 5xx; only its savepoint rolls back'
        : 'a route whose @transactional call failed and that answers 200 stays a 200; that call is rolled back',
      async ({ load }) => {
        await load(['kept']);
        const answer = await send('POST', '/notes/swallowed', 'lost');
        if (mode === 'request') {
          // The request transaction is rollback-only: committing it fails, and a 200 would be a lie.
          expect(answer.status).toBeGreaterThanOrEqual(500);
        } else {
          expect(answer).toEqual({ status: 200, body: { swallowed: 'lost' } });
        }
        expect(await notes().tokens()).toEqual(['kept']);
        expect(await send('POST', '/notes', 'next')).toMatchObject({ status: 201 });
        expect(await notes().tokens()).toEqual(['kept', 'next']);
      },
    );

    isolation.test(
      'sequential requests build on each other, in the test transaction',
      async ({ load }) => {
        await load(['fixture']);
        for (const token of ['one', 'two', 'three']) {
          expect((await send('POST', '/notes', token)).status).toBe(201);
        }
        const tokens = ['fixture', 'one', 'three', 'two'];
        expect(await send('GET', '/notes')).toEqual({ status: 200, body: tokens });
        expect(await notes().tokens()).toEqual(tokens);
      },
      async () => {
        expect(await notes().tokens()).toEqual([]);
      },
    );

    isolation.test(
      'concurrent requests take turns, and all of them succeed',
      async () => {
        counted.most = 0;
        const tokens = Array.from({ length: 10 }, (_, i) => `concurrent-${i}`);
        const answers = await Promise.all(tokens.map((t) => send('POST', '/notes/counted', t)));
        expect(answers.map((a) => a.status)).toEqual(tokens.map(() => 201));
        expect(new Set(answers.map((a) => a.body.id)).size).toBe(10);
        expect(counted.most).toBe(1);
        expect(await notes().tokens()).toEqual([...tokens].sort());
      },
      async () => {
        expect(await notes().tokens()).toEqual([]);
      },
    );

    describe('a request still running when the test ends', () => {
      let slow: Promise<Answer>;
      let queued: Promise<Answer>;

      isolation.test(
        'does not hold the test up',
        async () => {
          slowRoute.gate = deferred();
          slowRoute.started = deferred<string>();
          slow = app.send('POST', '/notes/slow', 'unfinished');
          expect(await slowRoute.started.promise).toBe('unfinished');
          // Waits for its turn behind the slow one.
          queued = app.send('GET', '/notes');
          await sleep(20);
        },
        async () => {
          try {
            // Its test transaction is gone: the request waiting for a turn fails instead of waiting on.
            expect(await within(2_000, queued)).toMatchObject({
              status: 500,
              body: { code: 'KOSHA_SCOPE_ENDED', message: /its test ended/ },
            });
            slowRoute.gate.resolve();
            // What the slow one does after its test ended fails, and never reaches another test's rows.
            const answer = await within(2_000, slow);
            expect(answer.status).toBeGreaterThanOrEqual(500);
            expect(answer.body).toMatchObject({ code: 'KOSHA_SCOPE_ENDED', message: /its test ended/ });
            expect(await notes().tokens()).toEqual([]);
          } finally {
            slowRoute.gate.resolve();
          }
        },
      );

      isolation.test('the next test gets a working app', async ({ load }) => {
        await load(['fresh']);
        expect(await send('GET', '/notes')).toEqual({ status: 200, body: ['fresh'] });
      });
    });
  });
}

describe(`HTTP routes under ${underKoshaTest.name}`, () => {
  for (const framework of FRAMEWORKS)
    for (const mode of MODES) httpIsolationSuite(underKoshaTest, framework, mode);
});

describe(`HTTP routes under ${underIsolate.name}`, () => {
  beforeAll(async () => {
    kit = await createTestKosha({ entities: [Note], setDefault: false, logger });
  });
  afterAll(() => kit?.close());

  for (const framework of FRAMEWORKS)
    for (const mode of MODES) httpIsolationSuite(underIsolate, framework, mode);
});
