import type { Kosha } from '@kosha/core';
import { dbMiddleware } from '@kosha/http-express';
import express, { type ErrorRequestHandler, type Express, type Request } from 'express';
import type { Window } from './article-repo.js';
import { Conduit } from './conduit.js';
import { errorResponse, invalid, unauthorized } from './errors.js';
import { userView } from './views.js';

/** The signed-in user's id from `Authorization: Token <id>` (the stand-in token, see views.ts). */
function viewerOf(req: Request): number | undefined {
  const header = req.get('authorization');
  if (header === undefined) return undefined;
  const match = /^Token (\d{1,15})$/.exec(header.trim());
  if (!match) throw unauthorized();
  return Number(match[1]);
}

/** `body[group][name]` as a string, or a 422. */
function text(body: unknown, group: string, name: string, optional: true): string | undefined;
function text(body: unknown, group: string, name: string, optional?: false): string;
function text(body: unknown, group: string, name: string, optional = false): string | undefined {
  const value = (body as Record<string, Record<string, unknown> | undefined> | undefined)?.[group]?.[name];
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || (value.trim() === '' && !optional))
    throw invalid(`${group}.${name} can't be blank`);
  return value;
}

/** The string fields of `body[group]` that are given, among `names`. */
function changes<K extends string>(
  body: unknown,
  group: string,
  names: readonly K[],
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const name of names) {
    const value = text(body, group, name, true);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function tagList(body: unknown): string[] {
  const list = (body as { article?: { tagList?: unknown } } | undefined)?.article?.tagList ?? [];
  if (
    !Array.isArray(list) ||
    !list.every((t) => typeof t === 'string' && t.trim() !== '' && t.length <= 60)
  ) {
    throw invalid('article.tagList must be a list of tag names');
  }
  return list.map((t: string) => t.trim());
}

/** `limit` (default 20, at most 100) and `offset` (default 0) of the query string. */
function windowOf(req: Request): Window {
  const number = (name: string, fallback: number, max: number) => {
    const raw = req.query[name];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0 || value > max)
      throw invalid(`${name} must be a whole number up to ${max}`);
    return value;
  };
  return { limit: Math.max(1, number('limit', 20, 100)), offset: number('offset', 0, 1_000_000) };
}

const queryText = (req: Request, name: string): string | undefined => {
  const value = req.query[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * The RealWorld API under `/api` on Express 5. `dbMiddleware()` comes first: each request runs in one
 * transaction, committed before its response is written, and every Conduit call joins it.
 */
export function buildApp(kosha: Kosha, conduit = new Conduit()): Express {
  const app = express();
  app.use(dbMiddleware({ kosha }));
  app.use(express.json());
  const api = express.Router();

  api.post('/users', async (req, res) => {
    const user = await conduit.register(
      text(req.body, 'user', 'username'),
      text(req.body, 'user', 'email'),
      text(req.body, 'user', 'password'),
    );
    res.status(201).json({ user: userView(user) });
  });
  api.post('/users/login', async (req, res) => {
    const user = await conduit.login(text(req.body, 'user', 'email'), text(req.body, 'user', 'password'));
    res.json({ user: userView(user) });
  });
  api.get('/user', async (req, res) => {
    res.json({ user: userView(await conduit.me(viewerOf(req))) });
  });
  api.put('/user', async (req, res) => {
    const given = changes(req.body, 'user', ['username', 'email', 'password', 'bio', 'image']);
    res.json({ user: userView(await conduit.updateMe(viewerOf(req), given)) });
  });

  api.get('/profiles/:username', async (req, res) => {
    res.json({ profile: await conduit.profile(req.params.username, viewerOf(req)) });
  });
  api.post('/profiles/:username/follow', async (req, res) => {
    res.json({ profile: await conduit.follow(viewerOf(req), req.params.username, true) });
  });
  api.delete('/profiles/:username/follow', async (req, res) => {
    res.json({ profile: await conduit.follow(viewerOf(req), req.params.username, false) });
  });

  api.get('/articles', async (req, res) => {
    const filter = {
      tag: queryText(req, 'tag'),
      author: queryText(req, 'author'),
      favorited: queryText(req, 'favorited'),
    };
    res.json(await conduit.listArticles(filter, windowOf(req), viewerOf(req)));
  });
  api.get('/articles/feed', async (req, res) => {
    res.json(await conduit.feed(viewerOf(req), windowOf(req)));
  });
  api.post('/articles', async (req, res) => {
    const input = {
      title: text(req.body, 'article', 'title'),
      description: text(req.body, 'article', 'description'),
      body: text(req.body, 'article', 'body'),
      tagList: tagList(req.body),
    };
    res.status(201).json({ article: await conduit.createArticle(viewerOf(req), input) });
  });
  api.get('/articles/:slug', async (req, res) => {
    res.json({ article: await conduit.article(req.params.slug, viewerOf(req)) });
  });
  api.put('/articles/:slug', async (req, res) => {
    const given = changes(req.body, 'article', ['title', 'description', 'body']);
    res.json({ article: await conduit.updateArticle(viewerOf(req), req.params.slug, given) });
  });
  api.delete('/articles/:slug', async (req, res) => {
    await conduit.deleteArticle(viewerOf(req), req.params.slug);
    res.status(204).end();
  });
  api.post('/articles/:slug/favorite', async (req, res) => {
    res.json({ article: await conduit.favorite(viewerOf(req), req.params.slug, true) });
  });
  api.delete('/articles/:slug/favorite', async (req, res) => {
    res.json({ article: await conduit.favorite(viewerOf(req), req.params.slug, false) });
  });

  api.get('/articles/:slug/comments', async (req, res) => {
    res.json({ comments: await conduit.commentsOf(req.params.slug, viewerOf(req)) });
  });
  api.post('/articles/:slug/comments', async (req, res) => {
    const body = text(req.body, 'comment', 'body');
    res.status(201).json({ comment: await conduit.addComment(viewerOf(req), req.params.slug, body) });
  });
  api.delete('/articles/:slug/comments/:id', async (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id < 1) throw invalid('the comment id is a positive whole number');
    await conduit.deleteComment(viewerOf(req), req.params.slug, id);
    res.status(204).end();
  });

  api.get('/tags', async (_req, res) => {
    res.json({ tags: await conduit.tagNames() });
  });

  app.use('/api', api);
  // A 4xx after a failed @transactional call rolls the request's transaction back quietly.
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const { status, body } = errorResponse(error);
    if (status >= 500) kosha.logger.error('request failed', error);
    res.status(status).json(body);
  };
  app.use(onError);
  return app;
}
