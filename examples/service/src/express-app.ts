import type { Kosha } from '@kosha/core';
import { dbMiddleware } from '@kosha/http-express';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { AuthorRepo } from './author-repo.js';
import { BookRepo } from './book-repo.js';
import { errorResponse } from './errors.js';
import type { Jobs } from './jobs.js';
import { LibraryService } from './library-service.js';
import { authorDto, bookDto, idParam, newBooks, recountJob, text } from './routes.js';

/**
 * The same library service on Express 5 (`--express`). `dbMiddleware()` goes first, so the body
 * parser and the routes run with the request's session; Express 5 hands a rejected handler to the
 * error middleware.
 */
export function buildExpressApp(kosha: Kosha, jobs: Jobs): Express {
  const authors = new AuthorRepo();
  const books = new BookRepo();
  const library = new LibraryService(authors, books);

  const app = express();
  app.use(dbMiddleware({ kosha, skip: (req) => req.path === '/health' }));
  app.use(express.json());

  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  app.post('/authors', async (req, res) => {
    const author = await authors.create(text(req.body, 'name'));
    res.status(201).json(authorDto(author));
  });

  app.get('/authors/:id', async (req, res) => {
    const author = await authors.get(idParam(req.params));
    if (author) res.json(authorDto(author));
    else res.status(404).json({ error: 'no such author' });
  });

  app.patch('/authors/:id', async (req, res) => {
    res.json(authorDto(await authors.rename(idParam(req.params), text(req.body, 'name'))));
  });

  app.get('/authors/:id/books', async (req, res) => {
    res.json((await books.listByAuthor(idParam(req.params))).map(bookDto));
  });

  app.post('/authors/:id/books', async (req, res) => {
    const authorId = idParam(req.params);
    const added = await library.addBooks(authorId, newBooks(req.body));
    res.once('finish', () => jobs.schedule(...recountJob(authors, authorId)));
    res.status(201).json(added.map(bookDto));
  });

  // A 4xx for an error thrown by a @transactional call still rolls back: the call marked the
  // request's transaction rollback-only (see docs/http-express.md).
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const { status, body } = errorResponse(error);
    if (status >= 500) kosha.logger.error('request failed', error);
    res.status(status).json(body);
  };
  app.use(onError);
  return app;
}
