import type { AuthorRepo } from './author-repo.js';
import type { NewBook } from './book-repo.js';
import type { Author, Book } from './entities.js';
import { BadRequest } from './errors.js';

/** What the API answers for an author. */
export const authorDto = (a: Author) => ({
  id: a.id,
  name: a.name,
  bookCount: a.bookCount,
  version: a.version,
});

/** What the API answers for a book. */
export const bookDto = (b: Book) => ({ id: b.id, title: b.title, isbn: b.isbn, authorId: b.author.id });

/** The `:id` path parameter, checked. */
export function idParam(params: unknown): number {
  const id = Number((params as { id?: string }).id);
  if (!Number.isInteger(id) || id < 1) throw new BadRequest('id must be a positive whole number');
  return id;
}

/** A required, non-empty string field of a JSON body. */
export function text(body: unknown, field: string): string {
  const value = (body as Record<string, unknown> | null | undefined)?.[field];
  if (typeof value !== 'string' || value.trim() === '') throw new BadRequest(`${field} is required`);
  return value;
}

/** The `books` array of a JSON body, checked. */
export function newBooks(body: unknown): NewBook[] {
  const list = (body as { books?: unknown } | null | undefined)?.books;
  if (!Array.isArray(list) || list.length === 0) throw new BadRequest('books must be a non-empty array');
  return list.map((b) => ({ title: text(b, 'title'), isbn: text(b, 'isbn') }));
}

/** The job a successful `POST /authors/:id/books` queues once its response has left. */
export const recountJob = (authors: AuthorRepo, authorId: number) =>
  [`recount books of author ${authorId}`, () => authors.refreshBookCount(authorId)] as const;
