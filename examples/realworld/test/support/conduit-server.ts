import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestKosha, type TestKit } from '@kosha/testing';
import { testDatabases } from '@kosha/testing/conformance';
import { afterAll, beforeAll, describe } from 'vitest';
import { buildApp } from '../../src/app.js';
import { entities } from '../../src/entities.js';

/** What a request answered: the status and the parsed JSON body (`undefined` for none). */
export interface Answer {
  status: number;
  body: any;
}

/** A Conduit app on a real HTTP server over one database, and a client for it. */
export interface Conduit {
  readonly kit: TestKit;
  /** `fetch`es `/api{path}`, with `Authorization: Token <token>` when a token is given. */
  call(method: string, path: string, options?: { body?: unknown; token?: string }): Promise<Answer>;
  /** Registers a user and returns its token. */
  register(username: string): Promise<string>;
}

/**
 * Runs `suite` once for each database: the test kit's SQLite in memory, and PostgreSQL and MariaDB
 * when they are reachable here (CI has them; each run gets a fresh database, dropped afterwards). The
 * cache is the kit's ioredis-mock. Each suite gets its own server and its own database.
 */
export async function forEachDatabase(title: string, suite: (conduit: () => Conduit) => void): Promise<void> {
  for (const database of await testDatabases()) {
    describe.skipIf(!database.available)(`${title} (${database.name})`, () => {
      let conduit: Conduit | undefined;
      let server: Server | undefined;
      let drop = async () => {};
      beforeAll(async () => {
        const opened = await database.open();
        drop = opened.drop;
        const kit = await createTestKosha({ entities, url: opened.url, cache: 'mock' });
        server = await new Promise<Server>((resolve) => {
          const listening = buildApp(kit.kosha).listen(0, '127.0.0.1', () => resolve(listening));
        });
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
        const call: Conduit['call'] = async (method, path, options = {}) => {
          const headers: Record<string, string> = {};
          if (options.body !== undefined) headers['content-type'] = 'application/json';
          if (options.token !== undefined) headers.authorization = `Token ${options.token}`;
          const response = await fetch(`${base}${path}`, {
            method,
            headers,
            ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
          });
          const text = await response.text();
          return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
        };
        const register = async (username: string) => {
          const user = { username, email: `${username}@example.com`, password: `${username}-secret` };
          const answer = await call('POST', '/users', { body: { user } });
          if (answer.status !== 201) throw new Error(`registering ${username}: ${JSON.stringify(answer)}`);
          return answer.body.user.token as string;
        };
        conduit = { kit, call, register };
      });
      afterAll(async () => {
        await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
        await conduit?.kit.close();
        await drop();
      });
      suite(() => {
        if (!conduit) throw new Error('the Conduit server did not start (see beforeAll)');
        return conduit;
      });
    });
  }
}
