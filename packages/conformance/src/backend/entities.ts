import {
  column,
  createdAt,
  DbRepo,
  entity,
  id,
  type Kosha,
  OptionalProps,
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

/** The entity classes the conformance suite maps. */
export const CONFORMANCE_ENTITIES = [ConfPerson, ConfRow];
