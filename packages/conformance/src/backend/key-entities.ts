import {
  column,
  DbRepo,
  entity,
  id,
  type Kosha,
  manyToOne,
  oneToMany,
  PrimaryKeyProp,
  table,
} from '@kosha/core';

/** A user of the key tests, shaped like RealWorld's: the target of follows, favorites and articles. */
@entity
@table('kosha_conf_k_user')
export class KUser {
  @id() id!: number;
  @column({ type: 'string', length: 60 }) name!: string;
  @oneToMany(() => KFollow, 'follower') following!: KFollow[];
}

/** An article, favorited by users. */
@entity
@table('kosha_conf_k_article')
export class KArticle {
  @id() id!: number;
  @column({ type: 'string', length: 100 }) title!: string;
  @manyToOne(() => KUser) author!: KUser;
}

/** RealWorld's follow: its key is the pair of users, two foreign keys. */
@entity
@table('kosha_conf_k_follow')
export class KFollow {
  declare [PrimaryKeyProp]?: ['follower', 'followee'];
  @id @manyToOne(() => KUser) follower!: KUser;
  @id @manyToOne(() => KUser) followee!: KUser;
  @column({ type: 'string', length: 40, nullable: true }) note!: string | null;
}

/** RealWorld's favorite: user and article, the relation parts spelled `primary`. */
@entity
@table('kosha_conf_k_favorite')
export class KFavorite {
  declare [PrimaryKeyProp]?: ['user', 'article'];
  @manyToOne(() => KUser, { primary: true }) user!: KUser;
  @manyToOne(() => KArticle, { primary: true }) article!: KArticle;
  @column({ type: 'integer' }) stars!: number;
}

/** A composite key of two columns (no relation), for paging and cursors over several key parts. */
@entity
@table('kosha_conf_k_slot')
export class KSlot {
  declare [PrimaryKeyProp]?: ['region', 'n'];
  @id({ type: 'string', length: 20 }) region!: string;
  @id({ type: 'integer' }) n!: number;
  @column({ type: 'string', length: 40 }) label!: string;
}

/** Repository of {@link KUser}. */
export class KUserRepo extends DbRepo<KUser> {
  constructor(kosha: Kosha) {
    super(KUser, kosha);
  }
}

/** Repository of {@link KArticle}. */
export class KArticleRepo extends DbRepo<KArticle> {
  constructor(kosha: Kosha) {
    super(KArticle, kosha);
  }
}

/** Repository of {@link KFollow}. */
export class KFollowRepo extends DbRepo<KFollow> {
  constructor(kosha: Kosha) {
    super(KFollow, kosha);
  }
  readonly findByFollower = this.derive('findByFollower');
  readonly deleteByFollower = this.derive('deleteByFollower');
}

/** Repository of {@link KFavorite}. */
export class KFavoriteRepo extends DbRepo<KFavorite> {
  constructor(kosha: Kosha) {
    super(KFavorite, kosha);
  }
}

/** Repository of {@link KSlot}. */
export class KSlotRepo extends DbRepo<KSlot> {
  constructor(kosha: Kosha) {
    super(KSlot, kosha);
  }
}

/** The entities of the key tests. */
export const KEY_ENTITIES = [KUser, KArticle, KFollow, KFavorite, KSlot];
