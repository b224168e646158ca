import { EntityNotFoundError, transactional } from '@kosha/core';
import type { AuthorRepo } from './author-repo.js';
import type { BookRepo, NewBook } from './book-repo.js';
import type { Book } from './entities.js';

/** The use cases the routes call: each one transaction (the request's, when there is one). */
export class LibraryService {
  constructor(
    readonly authors: AuthorRepo,
    readonly books: BookRepo,
  ) {}

  /** Adds the books of one author, all or none: a duplicate ISBN rolls back every insert. */
  @transactional
  async addBooks(authorId: number, books: readonly NewBook[]): Promise<Book[]> {
    if (!(await this.authors.exists(authorId))) throw new EntityNotFoundError(`No author ${authorId}.`);
    return this.books.addAll(authorId, books);
  }
}
