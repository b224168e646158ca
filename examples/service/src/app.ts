import type { Kosha } from '@kosha/core';
import { dbPlugin } from '@kosha/http-fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { AuthorRepo } from './author-repo.js';
import { BookRepo } from './book-repo.js';
import { errorResponse } from './errors.js';
import type { Jobs } from './jobs.js';
import { LibraryService } from './library-service.js';
import { authorDto, bookDto, idParam, newBooks, recountJob, text } from './routes.js';

/**
 * The library service on Fastify: authors and their books over HTTP. Every request gets a Kosha
 * session and one transaction (`dbPlugin`, mode `'request'`), committed before the reply is written.
 * The transaction begins at its first statement: a request that runs none (a cache hit) sends nothing.
 */
export async function buildApp(kosha: Kosha, jobs: Jobs): Promise<FastifyInstance> {
  const authors = new AuthorRepo();
  const books = new BookRepo();
  const library = new LibraryService(authors, books);

  const app = Fastify();
  await app.register(dbPlugin, { kosha, skip: (request) => request.url === '/health' });

  app.setErrorHandler((error, _request, reply) => {
    const { status, body } = errorResponse(error);
    if (status >= 500) kosha.logger.error('request failed', error);
    return reply.code(status).send(body);
  });

  app.get('/health', async () => ({ ok: true }));

  app.post('/authors', async (request, reply) => {
    const author = await authors.create(text(request.body, 'name'));
    return reply.code(201).send(authorDto(author));
  });

  app.get('/authors/:id', async (request, reply) => {
    const author = await authors.get(idParam(request.params));
    return author ? authorDto(author) : reply.code(404).send({ error: 'no such author' });
  });

  app.patch('/authors/:id', async (request) =>
    authorDto(await authors.rename(idParam(request.params), text(request.body, 'name'))),
  );

  app.get('/authors/:id/books', async (request) =>
    (await books.listByAuthor(idParam(request.params))).map(bookDto),
  );

  app.post('/authors/:id/books', async (request, reply) => {
    const authorId = idParam(request.params);
    const added = await library.addBooks(authorId, newBooks(request.body));
    // Once the response has left (and the request's session is closed), recount the author's books.
    reply.raw.once('finish', () => jobs.schedule(...recountJob(authors, authorId)));
    return reply.code(201).send(added.map(bookDto));
  });

  return app;
}
