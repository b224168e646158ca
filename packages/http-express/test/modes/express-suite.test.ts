// The HTTP adapter suite on Express 5: dbMiddleware first, then the JSON body parser (its callback runs
// in the socket's async context, so this also checks that the session survives body parsing).
import express from 'express';
import { dbMiddleware } from '../../src/index.js';
import { serve } from '../support/client.js';
import { httpAdapterSuite } from '../support/http-suite.js';

httpAdapterSuite({
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
});
