import {
  cacheable,
  cacheEvict,
  cachePut,
  DbRepo,
  EntityNotFoundError,
  repository,
  transactional,
} from '@kosha/core';
import { Author, Book } from './entities.js';

/** Authors, cached under `author:{id}`. */
@repository
export class AuthorRepo extends DbRepo<Author> {
  constructor() {
    super(Author);
  }

  @transactional
  async create(name: string): Promise<Author> {
    return (await this.insertAll([{ name, bookCount: 0 }]))[0]!;
  }

  /** Cache-aside: the first read goes to the database, the next ones to the cache. */
  @transactional({ readOnly: true, propagation: 'SUPPORTS' })
  @cacheable({ keyPrefix: 'author', ttl: 300 })
  async get(authorId: number): Promise<Author | null> {
    return this.getById(authorId);
  }

  /** Evicts `author:{id}` once the transaction commits (and at once, so no reader re-caches the old name). */
  @transactional
  @cacheEvict({ keyPrefix: 'author', key: (authorId: number) => authorId })
  async rename(authorId: number, name: string): Promise<Author> {
    const author = await this.getById(authorId);
    if (!author) throw new EntityNotFoundError(`No author ${authorId}.`);
    author.name = name;
    return this.update(author);
  }

  /** Recounts the author's books and stores the fresh author in the cache (`author:{id}`) after the commit. */
  @transactional
  @cachePut({ keyPrefix: 'author', key: (authorId: number) => authorId })
  async refreshBookCount(authorId: number): Promise<Author | null> {
    const author = await this.getById(authorId);
    if (!author) return null;
    author.bookCount = await this.em.count(Book, { author: authorId });
    return this.update(author);
  }
}
