// What the routes of the adapter suite do, framework-neutral: each adapter mounts every action as
// `POST <path>` (JSON body `{ token }`) and turns its reply into a response — `json` as a JSON body,
// `chunks` as a streamed body (Express: res.write per chunk; Fastify: a stream reply).
import { currentSession, NoSessionError, type Session } from '@kosha/core';
import type { HttpDatabase } from './http-fixtures.js';

/** What an action answers. */
export type HttpReply =
  | { status: number; json: unknown }
  | { status: number; chunks: () => AsyncIterable<string> };

/** A route's work, given the request body's token. */
export type HttpAction = (token: string) => Promise<HttpReply>;

/** Route paths → actions. */
export type HttpRoutes = Readonly<Record<string, HttpAction>>;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lets a test hold a handler at a point and know when it got there. */
export class Checkpoints {
  readonly #points = new Map<
    string,
    { reached: () => void; release: () => void; atPoint: Promise<void>; released: Promise<void> }
  >();

  #point(token: string) {
    let point = this.#points.get(token);
    if (!point) {
      let reached!: () => void;
      let release!: () => void;
      const atPoint = new Promise<void>((r) => (reached = r));
      const released = new Promise<void>((r) => (release = r));
      point = { reached, release, atPoint, released };
      this.#points.set(token, point);
    }
    return point;
  }

  /** In a handler: signals arrival and waits for `release`. */
  async hold(token: string): Promise<void> {
    const p = this.#point(token);
    p.reached();
    await p.released;
  }

  /** Resolves when the handler for `token` reached its checkpoint. */
  reached(token: string): Promise<void> {
    return this.#point(token).atPoint;
  }

  release(token: string): void {
    this.#point(token).release();
  }
}

/** What a job started from a request and left running saw. */
export interface BackgroundResult {
  readonly sameSessionAsRequest?: boolean;
  readonly error?: unknown;
}

/** The suite's routes over one database. */
export function scenarioRoutes(
  d: HttpDatabase,
  checkpoints: Checkpoints,
  background: Map<string, BackgroundResult>,
): HttpRoutes {
  const { notes, codes, kosha } = d;
  const sessionsSeen = new WeakSet<Session>();
  const stream = (token: string) =>
    async function* chunks() {
      yield `${token}:1;`;
      await pause(30);
      yield `${token}:2;`;
      await pause(30);
      yield `${token}:3;`;
    };

  return {
    '/save': async (token) => {
      const note = await notes.save(token);
      d.recordCommit(token);
      return { status: 201, json: { id: note.id, token } };
    },
    '/throw-after-write': async (token) => {
      await notes.save(token);
      await pause(1);
      throw new Error(`thrown after writing ${token}`);
    },
    '/answer-503': async (token) => {
      await notes.save(token);
      return { status: 503, json: { saved: false } };
    },
    '/commit-fails': async (token) => {
      await notes.save(token);
      await codes.violateAtCommit();
      return { status: 201, json: { token } };
    },
    '/inner-failure-answer-200': async (token) => {
      await notes.save(token);
      await notes.saveThenFail(`${token}-inner`).catch(() => {});
      return { status: 200, json: { token } };
    },
    '/inner-failure-answer-409': async (token) => {
      await notes.save(token);
      await notes.saveThenFail(`${token}-inner`).catch(() => {});
      return { status: 409, json: { conflict: token } };
    },
    '/stream': async (token) => {
      await notes.save(token);
      d.recordCommit(token);
      return { status: 200, chunks: stream(token) };
    },
    '/stream-commit-fails': async (token) => {
      await notes.save(token);
      await codes.violateAtCommit();
      return { status: 200, chunks: stream(token) };
    },
    '/slow': async (token) => {
      await notes.save(token);
      await checkpoints.hold(token);
      return { status: 200, json: { token } };
    },
    '/echo': async (token) => {
      const session = currentSession(kosha);
      const fresh = !sessionsSeen.has(session);
      sessionsSeen.add(session);
      const note = await notes.save(token);
      await pause(Math.random() * 3);
      const readBack = await notes.tokenOf(note.id);
      return {
        status: 200,
        json: { id: note.id, token: readBack, ownSession: fresh && currentSession(kosha) === session },
      };
    },
    '/slow-method': async (token) => {
      await notes.saveAround(`${token}-1`, () => checkpoints.hold(token), `${token}-2`);
      return { status: 200, json: { token } };
    },
    // Left running after the answer, still in the request's context: its scope has ended under it.
    '/respond-then-work': async (token) => {
      const requestSession = currentSession(kosha);
      setTimeout(() => {
        notes.saveInBackground(token).then(
          (s) => background.set(token, { sameSessionAsRequest: s === requestSession }),
          (error: unknown) => background.set(token, { error }),
        );
      }, 5);
      return { status: 202, json: { token } };
    },
    // The same, started with kosha.background: a job of its own, on a session of its own.
    '/respond-then-detach': async (token) => {
      const requestSession = currentSession(kosha);
      kosha.background(() =>
        setTimeout(() => {
          notes.saveInBackground(token).then(
            (s) => background.set(token, { sameSessionAsRequest: s === requestSession }),
            (error: unknown) => background.set(token, { error }),
          );
        }, 5),
      );
      return { status: 202, json: { token } };
    },
    '/two-transactions': async (token) => {
      await notes.save(`${token}-a`);
      await notes.saveThenFail(`${token}-b`);
      return { status: 200, json: {} };
    },
    '/session': async () => {
      await pause(1);
      try {
        currentSession(kosha);
        return { status: 200, json: { session: true } };
      } catch (error) {
        if (error instanceof NoSessionError) return { status: 200, json: { session: false } };
        throw error;
      }
    },
  };
}
