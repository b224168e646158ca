// The HTTP adapter suite of @kosha/conformance on Express 5: dbMiddleware first, then the JSON body parser
// (its callback runs in the socket's async context, so this also checks that the session survives body
// parsing). SQLite in memory always, PostgreSQL when reachable (CI: always).
import { type HttpAdapter, httpConformance, serve } from '@kosha/conformance';
import { testDatabases } from '@kosha/testing/conformance';
import express from 'express';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { dbMiddleware } from '../../src/index.js';

const express5: HttpAdapter = {
  name: 'Express',
  start(kosha, { mode, skipPath }, routes) {
    const app = express();
    app.use(dbMiddleware({ kosha, mode, skip: (req) => req.path === skipPath }));
    app.use(express.json());
    for (const [path, action] of Object.entries(routes)) {
      app.all(path, async (req, res) => {
        const reply = await action(req.body?.token ?? '');
        res.status(reply.status);
        if ('json' in reply) {
          res.json(reply.json);
          return;
        }
        res.type('text/plain');
        for await (const chunk of reply.chunks()) res.write(chunk);
        res.end();
      });
    }
    return serve(app);
  },
};

const runner = { describe, test: it, beforeAll, afterAll };
for (const database of await testDatabases(['sqlite', 'postgresql'])) {
  describe.skipIf(!database.available)(database.name, () => httpConformance(runner, express5, database));
}
