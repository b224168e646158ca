import { column, DbRepo, entity, id, type Kosha, manyToOne, table } from '@kosha/core';

/** A team, the target of {@link DMember.team}. */
@entity
@table('kosha_conf_d_team')
export class DTeam {
  @id() id!: number;
  @column({ type: 'string', length: 40 }) name!: string;
}

/** A member for the derived query tests: fields of every kind a name compares, some holding keywords. */
@entity
@table('kosha_conf_d_member')
export class DMember {
  @id() id!: number;
  @column({ type: 'string', length: 100 }) email!: string;
  @column({ type: 'string', length: 100 }) name!: string;
  @column({ type: 'enum', enum: ['active', 'blocked'] }) status!: 'active' | 'blocked';
  @column({ type: 'integer', nullable: true }) age!: number | null;
  @column({ type: 'boolean' }) active!: boolean;
  @column({ type: 'datetime' }) joinedAt!: Date;
  @column({ type: 'string', length: 40 }) orderNumber!: string;
  @column({ type: 'boolean' }) isNullable!: boolean;
  @column({ type: 'string', length: 100, nullable: true }) notes!: string | null;
  @manyToOne(() => DTeam, { nullable: true }) team!: DTeam | null;
}

/** Repository of {@link DTeam}. */
export class DTeamRepo extends DbRepo<DTeam> {
  constructor(kosha: Kosha) {
    super(DTeam, kosha);
  }
}

/** Repository of {@link DMember}, its queries derived from their names. */
export class DMemberRepo extends DbRepo<DMember> {
  constructor(kosha: Kosha) {
    super(DMember, kosha);
  }
  readonly findByEmail = this.derive('findByEmail');
  readonly findByEmailIgnoreCase = this.derive('findByEmailIgnoreCase');
  readonly findByEmailNotIgnoreCase = this.derive('findByEmailNotIgnoreCase');
  readonly findByNameNot = this.derive('findByNameNot');
  readonly findByAgeLessThan = this.derive('findByAgeLessThan');
  readonly findByAgeLessThanEqual = this.derive('findByAgeLessThanEqual');
  readonly findByAgeGreaterThan = this.derive('findByAgeGreaterThan');
  readonly findByAgeGreaterThanEqual = this.derive('findByAgeGreaterThanEqual');
  readonly findByJoinedAtBetween = this.derive('findByJoinedAtBetween');
  readonly findByAgeIn = this.derive('findByAgeIn');
  readonly findByAgeNotIn = this.derive('findByAgeNotIn');
  readonly findByNameLike = this.derive('findByNameLike');
  readonly findByNameNotLike = this.derive('findByNameNotLike');
  readonly findByNameLikeIgnoreCase = this.derive('findByNameLikeIgnoreCase');
  readonly findByNotesStartingWith = this.derive('findByNotesStartingWith');
  readonly findByNotesStartingWithIgnoreCase = this.derive('findByNotesStartingWithIgnoreCase');
  readonly findByEmailEndingWith = this.derive('findByEmailEndingWith');
  readonly findByNameContainingIgnoreCase = this.derive('findByNameContainingIgnoreCase');
  readonly findByNotesNotContaining = this.derive('findByNotesNotContaining');
  readonly findByAgeIsNull = this.derive('findByAgeIsNull');
  readonly findByAgeIsNotNull = this.derive('findByAgeIsNotNull');
  readonly findByActiveTrue = this.derive('findByActiveTrue');
  readonly findByActiveFalse = this.derive('findByActiveFalse');
  readonly findByStatus = this.derive('findByStatus');
  readonly findByTeam = this.derive('findByTeam');
  readonly findByTeamNot = this.derive('findByTeamNot');
  readonly findByTeamIn = this.derive('findByTeamIn');
  readonly findByTeamIsNull = this.derive('findByTeamIsNull');
  readonly findByStatusOrAgeGreaterThanAndActiveTrue = this.derive(
    'findByStatusOrAgeGreaterThanAndActiveTrue',
  );
  readonly findByOrderNumber = this.derive('findByOrderNumber');
  readonly findByIsNullableTrue = this.derive('findByIsNullableTrue');
  readonly findByStatusOrOrderNumber = this.derive('findByStatusOrOrderNumber');
  readonly findByStatusOrderByAgeDescNameAsc = this.derive('findByStatusOrderByAgeDescNameAsc');
  readonly findByOrderByJoinedAtAsc = this.derive('findByOrderByJoinedAtAsc');
  readonly findTop2ByStatusOrderByJoinedAtDesc = this.derive('findTop2ByStatusOrderByJoinedAtDesc');
  readonly findFirstByStatusOrderByAgeAsc = this.derive('findFirstByStatusOrderByAgeAsc');
  readonly findOneByEmail = this.derive('findOneByEmail');
  readonly countByStatus = this.derive('countByStatus');
  readonly existsByEmailIgnoreCase = this.derive('existsByEmailIgnoreCase');
  readonly deleteByOrderNumberStartingWith = this.derive('deleteByOrderNumberStartingWith');
  readonly deleteByOrderNumberAndNotesIgnoreCase = this.derive('deleteByOrderNumberAndNotesIgnoreCase');
}

/** The entity classes of the derived query tests. */
export const DERIVED_ENTITIES = [DTeam, DMember];
