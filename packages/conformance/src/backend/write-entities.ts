import {
  column,
  createdAt,
  DbRepo,
  deletedAt,
  entity,
  id,
  type Kosha,
  manyToOne,
  OptionalProps,
  table,
  updatedAt,
  version,
} from '@kosha/core';

/** A counter with a unique key, versioned and audited; `hits` does not count as an update. */
@entity
@table('kosha_conf_w_counter')
export class WCounter {
  declare [OptionalProps]?: 'version' | 'createdAt' | 'updatedAt' | 'hits' | 'note';
  @id() id!: number;
  @column({ type: 'string', length: 100, unique: true }) key!: string;
  @column({ type: 'integer' }) n!: number;
  @column({ type: 'integer', default: 0, touchesUpdatedAt: false }) hits!: number;
  @column({ type: 'string', length: 100, nullable: true }) note?: string | null;
  @version() version!: number;
  @createdAt() createdAt!: Date;
  @updatedAt() updatedAt!: Date;
}

/** A soft-deleted document. */
@entity
@table('kosha_conf_w_doc')
export class WDoc {
  declare [OptionalProps]?: 'deletedAt';
  @id() id!: number;
  @column({ type: 'string', length: 100 }) title!: string;
  @column({ type: 'string', length: 60, index: true }) label!: string;
  @deletedAt() deletedAt?: Date | null;
}

/** A note on a (soft-deleted) document. */
@entity
@table('kosha_conf_w_note')
export class WNote {
  @id() id!: number;
  @column({ type: 'string', length: 60 }) body!: string;
  @manyToOne(() => WDoc) doc!: WDoc;
}

/** Repository of {@link WNote}. */
export class WNoteRepo extends DbRepo<WNote> {
  constructor(kosha: Kosha) {
    super(WNote, kosha);
  }
}

/** Repository of {@link WCounter}. */
export class WCounterRepo extends DbRepo<WCounter> {
  constructor(kosha: Kosha) {
    super(WCounter, kosha);
  }
}

/** Repository of {@link WDoc}, with derived queries. */
export class WDocRepo extends DbRepo<WDoc> {
  constructor(kosha: Kosha) {
    super(WDoc, kosha);
  }
  readonly findByLabel = this.derive('findByLabel');
  readonly countByLabel = this.derive('countByLabel');
  readonly deleteByTitle = this.derive('deleteByTitle');
}

/** The entities of the write, lock and soft-delete sections. */
export const WRITE_ENTITIES = [WCounter, WDoc, WNote];
