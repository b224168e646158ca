import {
  cacheable,
  column,
  DbRepo,
  entity,
  id,
  manyToOne,
  repository,
  table,
  transactional,
} from '@kosha/core';

@entity
@table('kit_author')
export class Author {
  @id() id!: number;
  @column({ type: 'string', length: 100 }) name!: string;
  @column({ type: 'string', length: 200, unique: true }) email!: string;
}

@entity
@table('kit_book')
export class Book {
  @id() id!: number;
  @column({ type: 'string', length: 200 }) title!: string;
  @manyToOne(() => Author) author!: Author;
}

@repository
export class AuthorRepo extends DbRepo<Author> {
  constructor() {
    super(Author);
  }

  calls = 0;

  @transactional
  @cacheable({ keyPrefix: 'author', ttl: 60 })
  async get(authorId: number) {
    this.calls++;
    return this.getById(authorId);
  }
}
