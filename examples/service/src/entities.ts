import { column, entity, id, manyToOne, type Opt, table, version } from '@kosha/core';

/** An author: cached by id, renamed, and given a book count by the background job. */
@entity
@table('demo_authors')
export class Author {
  @id({ autoincrement: true }) id!: number;
  @column({ type: 'string', length: 100 }) name!: string;
  // Opt: filled in on insert (a default, the version), so a new row may leave them out.
  @column({ type: 'integer', default: 0 }) bookCount!: Opt<number>;
  @version() version!: Opt<number>;
}

/** A book, written by one author (the many side of Author 1:m Book). */
@entity
@table('demo_books')
export class Book {
  @id({ autoincrement: true }) id!: number;
  @column({ type: 'string', length: 200 }) title!: string;
  @column({ type: 'string', length: 20, unique: true }) isbn!: string;
  @manyToOne(() => Author) author!: Author;
}
