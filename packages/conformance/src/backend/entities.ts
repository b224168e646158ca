import {
  column,
  createdAt,
  DbRepo,
  entity,
  id,
  type Kosha,
  manyToOne,
  OptionalProps,
  oneToMany,
  table,
  updatedAt,
  version,
} from '@kosha/core';

/** A person, exercising the common column kinds, a unique column, versioning and auditing. */
@entity
@table('kosha_conf_person')
export class ConfPerson {
  declare [OptionalProps]?: 'version' | 'createdAt' | 'updatedAt';
  @id() id!: number;
  @column({ type: 'string', length: 100 }) name!: string;
  @column({ type: 'string', length: 255, unique: true }) email!: string;
  @column({ type: 'integer', nullable: true }) age?: number | null;
  @version() version!: number;
  @createdAt() createdAt!: Date;
  @updatedAt() updatedAt!: Date;
}

/** A bare row with a label, for the transaction and propagation tests. */
@entity
@table('kosha_conf_row')
export class ConfRow {
  @id() id!: number;
  @column({ type: 'string', length: 120, index: true }) label!: string;
}

/** Repository of {@link ConfPerson}, bound to one instance. */
export class ConfPersonRepo extends DbRepo<ConfPerson> {
  constructor(kosha: Kosha) {
    super(ConfPerson, kosha);
  }
}

/** Repository of {@link ConfRow}, bound to one instance. */
export class ConfRowRepo extends DbRepo<ConfRow> {
  constructor(kosha: Kosha) {
    super(ConfRow, kosha);
  }

  /** How many rows carry this label. */
  async countLabel(label: string): Promise<number> {
    return (await this.findAllByField('label', label)).length;
  }
}

/** An author for the query tests: a column of every kind the queries compare, NULLs allowed. */
@entity
@table('kosha_conf_q_author')
export class QAuthor {
  @id() id!: number;
  @column({ type: 'string', length: 100 }) username!: string;
  @column({ type: 'string', length: 100, nullable: true }) nickname!: string | null;
  @column({ type: 'integer', nullable: true }) age!: number | null;
  @column({ type: 'float' }) score!: number;
  @column({ type: 'boolean' }) active!: boolean;
  @column({ type: 'datetime' }) joined!: Date;
  @oneToMany(() => QPost, 'author') posts!: QPost[];
}

/** A post for the query tests: a to-one relation that may be NULL. */
@entity
@table('kosha_conf_q_post')
export class QPost {
  @id() id!: number;
  @column({ type: 'string', length: 100 }) title!: string;
  @column({ type: 'integer', nullable: true }) views!: number | null;
  @manyToOne(() => QAuthor, { nullable: true }) author!: QAuthor | null;
}

/** Rows for the paging tests: sort fields with duplicates and NULLs. */
@entity
@table('kosha_conf_q_item')
export class QItem {
  @id() id!: number;
  @column({ type: 'string', length: 40 }) run!: string;
  @column({ type: 'integer', nullable: true }) rank!: number | null;
  @column({ type: 'string', length: 40 }) name!: string;
  @column({ type: 'datetime', nullable: true }) due!: Date | null;
}

/** Repository of {@link QAuthor}. */
export class QAuthorRepo extends DbRepo<QAuthor> {
  constructor(kosha: Kosha) {
    super(QAuthor, kosha);
  }
}

/** Repository of {@link QPost}. */
export class QPostRepo extends DbRepo<QPost> {
  constructor(kosha: Kosha) {
    super(QPost, kosha);
  }
}

/** Repository of {@link QItem}. */
export class QItemRepo extends DbRepo<QItem> {
  constructor(kosha: Kosha) {
    super(QItem, kosha);
  }
}

/** The entity classes the conformance suite maps. */
export const CONFORMANCE_ENTITIES = [ConfPerson, ConfRow, QAuthor, QPost, QItem];
