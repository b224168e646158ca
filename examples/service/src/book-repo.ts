import { cacheable, cacheEvict, DbRepo, repository, transactional } from '@kosha/core';
import { Author, Book } from './entities.js';

/** What a client sends to add a book. */
export interface NewBook {
  title: string;
  isbn: string;
}

/** Books, with each author's list cached under `books:{authorId}`. */
@repository
export class BookRepo extends DbRepo<Book> {
  constructor() {
    super(Book);
  }

  /** Must run inside the caller's transaction: adding books is all or nothing. */
  @transactional({ propagation: 'MANDATORY' })
  @cacheEvict({ keyPrefix: 'books', key: (authorId: number) => authorId })
  async addAll(authorId: number, books: readonly NewBook[]): Promise<Book[]> {
    const author = this.em.getReference(Author, authorId);
    return this.insertAll(books.map((b) => ({ ...b, author })));
  }

  @transactional({ readOnly: true })
  @cacheable({ keyPrefix: 'books', ttl: 300 })
  async listByAuthor(authorId: number): Promise<Book[]> {
    return this.em.find(Book, { author: authorId }, { orderBy: { id: 'asc' } });
  }
}
