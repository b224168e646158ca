import { column, DbRepo, entity, id, manyToOne, oneToMany, table } from '@kosha/core';
import { type Collection, wrap } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, openKosha } from '../support/databases.js';

@entity
@table('rel_authors')
class Author {
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
  @oneToMany(() => Book, 'author') books!: Collection<Book>;
}

@entity
@table('rel_books')
class Book {
  @id() id!: number;
  @column({ type: 'string' }) title!: string;
  @manyToOne(() => Author, { inversedBy: 'books', name: 'writer_id', onDelete: 'cascade' }) author!: Author;
  @oneToMany(() => Review, 'book', { eager: true }) reviews!: Collection<Review>;
}

@entity
@table('rel_reviews')
class Review {
  @id() id!: number;
  @column({ type: 'integer' }) stars!: number;
  @manyToOne(() => Book, { nullable: true, onDelete: 'set null', eager: true }) book!: Book | null;
}

class Authors extends DbRepo<Author> {}
class Books extends DbRepo<Book> {}
class Reviews extends DbRepo<Review> {}

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`relations on ${db.name}`, () => {
    let env: Awaited<ReturnType<typeof openKosha>>;
    let authors: Authors;
    let books: Books;
    let reviews: Reviews;
    beforeAll(async () => {
      env = await openKosha(db, [Author, Book, Review]);
      authors = new Authors(Author, env.kosha);
      books = new Books(Book, env.kosha);
      reviews = new Reviews(Review, env.kosha);
    });
    afterAll(() => env?.close());

    async function authorWithBooks(...titles: string[]) {
      const [author] = await authors.insertAll([{ name: 'Le Guin' }]);
      const saved = await books.insertAll(titles.map((title) => ({ title, author: author! })));
      return { author: author!, books: saved };
    }

    it('@manyToOne stores the key in its named column', async () => {
      const {
        author,
        books: [book],
      } = await authorWithBooks('The Dispossessed');
      const rows = await env.kosha.transaction(() =>
        books.em.execute('select writer_id from rel_books where id = ?', [book!.id]),
      );
      expect(rows).toEqual([{ writer_id: author.id }]);
    });

    it('a lazy @manyToOne is a reference holding the key until it is loaded', async () => {
      const {
        author,
        books: [book],
      } = await authorWithBooks('Lathe of Heaven');
      await env.kosha.transaction(async () => {
        const loaded = (await books.getById(book!.id))!;
        expect(loaded.author).toBeInstanceOf(Author);
        expect(loaded.author.id).toBe(author.id);
        expect(wrap(loaded.author).isInitialized()).toBe(false);
        await books.em.populate(loaded, ['author']);
        expect(loaded.author.name).toBe('Le Guin');
      });
    });

    it('an eager @manyToOne is loaded with its owner', async () => {
      const {
        books: [book],
      } = await authorWithBooks('Earthsea');
      const [review] = await reviews.insertAll([{ stars: 5, book: book! }]);
      const loaded = (await reviews.getById(review!.id))!;
      expect(wrap(loaded.book!).isInitialized()).toBe(true);
      expect(loaded.book!.title).toBe('Earthsea');
    });

    it('a lazy @oneToMany is a MikroORM Collection, loaded on demand', async () => {
      const { author } = await authorWithBooks('A', 'B');
      await env.kosha.transaction(async () => {
        const loaded = (await authors.getById(author.id))!;
        expect(loaded.books.isInitialized()).toBe(false);
        const items = await loaded.books.load();
        expect(
          items
            .getItems()
            .map((b) => b.title)
            .sort(),
        ).toEqual(['A', 'B']);
        expect([...loaded.books].every((b) => b instanceof Book)).toBe(true);
      });
    });

    it('an eager @oneToMany is loaded with its owner', async () => {
      const {
        books: [book],
      } = await authorWithBooks('Tehanu');
      await reviews.insertAll([
        { stars: 4, book: book! },
        { stars: 3, book: book! },
      ]);
      const loaded = (await books.getById(book!.id))!;
      expect(loaded.reviews.isInitialized()).toBe(true);
      expect(
        loaded.reviews
          .getItems()
          .map((r) => r.stars)
          .sort(),
      ).toEqual([3, 4]);
    });

    it('an item added to a @oneToMany collection is inserted, and the owning side follows', async () => {
      const { author } = await authorWithBooks('First');
      await env.kosha.transaction(async () => {
        const loaded = (await authors.getById(author.id))!;
        await loaded.books.init();
        const book = books.em.create(Book, { title: 'Second', author: loaded });
        expect(loaded.books.contains(book)).toBe(true);
      });
      const titles = (await books.findAllByField('author', author)).map((b) => b.title);
      expect(titles).toEqual(['First', 'Second']);
    });

    it('a new instance whose @manyToOne is set by assignment joins the loaded collection of its owner', async () => {
      const { author } = await authorWithBooks('Old');
      await env.kosha.transaction(async () => {
        const loaded = (await authors.getById(author.id))!;
        await loaded.books.init();
        const book = new Book();
        book.title = 'New';
        book.author = loaded;
        // Saving makes it managed; its owner's loaded collection then holds it.
        await books.insertAll([book]);
        expect(loaded.books.contains(book)).toBe(true);
        expect(book.author).toBe(loaded);
        // Once managed, a reassignment moves it between collections at once.
        const [other] = await authors.insertAll([{ name: 'Other' }]);
        await other!.books.init();
        book.author = other!;
        expect(loaded.books.contains(book)).toBe(false);
        expect(other!.books.contains(book)).toBe(true);
      });
      expect((await books.findAllByField('author', author)).map((b) => b.title)).toEqual(['Old']);
    });

    it('a new instance gets its collection when it is inserted', async () => {
      const author = new Author();
      author.name = 'Fresh';
      const [saved] = await authors.insertAll([author]);
      expect(saved).toBe(author);
      expect(author.books.isInitialized()).toBe(true);
      expect(author.books.count()).toBe(0);
    });

    it('findByField takes a related entity or its key', async () => {
      const { author, books: saved } = await authorWithBooks('X', 'Y');
      expect((await books.findAllByField('author', author)).map((b) => b.id)).toEqual(saved.map((b) => b.id));
      expect((await books.findAllByField('author', author.id as never)).map((b) => b.id)).toEqual(
        saved.map((b) => b.id),
      );
    });

    it("onDelete 'cascade' deletes the rows that refer to a deleted row", async () => {
      const { author, books: saved } = await authorWithBooks('Gone 1', 'Gone 2');
      expect(await authors.delete(author.id)).toBe(true);
      for (const b of saved) expect(await books.exists(b.id)).toBe(false);
    });

    it("onDelete 'set null' clears the key of the rows that refer to a deleted row", async () => {
      const {
        books: [book],
      } = await authorWithBooks('Orphaned');
      const [review] = await reviews.insertAll([{ stars: 2, book: book! }]);
      await books.delete(book!.id);
      expect((await reviews.getById(review!.id))!.book).toBeNull();
    });
  });
}
