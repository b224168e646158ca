import {
  column,
  DbRepo,
  embeddable,
  embedded,
  entity,
  id,
  index,
  type Kosha,
  type Many,
  many,
  manyToMany,
  manyToOne,
  oneToMany,
  oneToOne,
  table,
  unique,
} from '@kosha/core';

/** A tag: the inverse side of {@link RArticle.tags}. */
@entity
@table('kosha_conf_r_tag')
export class RTag {
  @id() id!: number;
  @column({ type: 'string', length: 40, unique: true }) name!: string;
  @manyToMany(() => RArticle, { inverse: 'tags' }) articles: Many<RArticle> = many(this);
}

/** An address, embedded in {@link RAuthor}. */
@embeddable
export class RAddress {
  @column({ type: 'string', length: 60 }) city!: string;
  @column({ type: 'string', length: 60, nullable: true }) street!: string | null;
}

/** An author's profile: the inverse side of {@link RAuthor.profile}. */
@entity
@table('kosha_conf_r_profile')
export class RProfile {
  @id() id!: number;
  @column({ type: 'string', length: 100 }) bio!: string;
  @oneToOne(() => RAuthor, { inverse: 'profile' }) author?: RAuthor | null;
}

/** An author: owns a one-to-one profile, embeds an address, has articles (cascade remove, orphanRemoval). */
@unique(['name', 'country'], { name: 'kosha_conf_r_author_name_country' })
@entity
@table('kosha_conf_r_author')
@index(['country', 'name'], { name: 'kosha_conf_r_author_country_name' })
export class RAuthor {
  @id() id!: number;
  @column({ type: 'string', length: 60 }) name!: string;
  @column({ type: 'string', length: 2 }) country!: string;
  @oneToOne(() => RProfile, { nullable: true, onDelete: 'set null' }) profile!: RProfile | null;
  @embedded(() => RAddress) address!: RAddress;
  @oneToMany(() => RArticle, 'author', { cascade: ['persist', 'remove'], orphanRemoval: true })
  articles: Many<RArticle> = many(this);
}

/** An article: owns the many-to-many to tags (its pivot table named), belongs to an author. */
@entity
@table('kosha_conf_r_article')
export class RArticle {
  @id() id!: number;
  @column({ type: 'string', length: 100 }) title!: string;
  @manyToOne(() => RAuthor) author!: RAuthor;
  @manyToMany(() => RTag, { table: 'kosha_conf_r_article_tags' }) tags: Many<RTag> = many(this);
}

/** A comment whose foreign key deletes it with its article (`onDelete: 'cascade'`). */
@entity
@table('kosha_conf_r_comment')
export class RComment {
  @id() id!: number;
  @column({ type: 'string', length: 100 }) body!: string;
  @manyToOne(() => RArticle, { onDelete: 'cascade' }) article!: RArticle;
}

/** The entities of the relation tests. */
export const RELATION_ENTITIES = [RTag, RProfile, RAuthor, RArticle, RComment];

/** Repository of {@link RTag}. */
export class RTagRepo extends DbRepo<RTag> {
  constructor(kosha: Kosha) {
    super(RTag, kosha);
  }
}

/** Repository of {@link RProfile}. */
export class RProfileRepo extends DbRepo<RProfile> {
  constructor(kosha: Kosha) {
    super(RProfile, kosha);
  }
}

/** Repository of {@link RAuthor}. */
export class RAuthorRepo extends DbRepo<RAuthor> {
  constructor(kosha: Kosha) {
    super(RAuthor, kosha);
  }
}

/** Repository of {@link RArticle}. */
export class RArticleRepo extends DbRepo<RArticle> {
  constructor(kosha: Kosha) {
    super(RArticle, kosha);
  }
}

/** Repository of {@link RComment}. */
export class RCommentRepo extends DbRepo<RComment> {
  constructor(kosha: Kosha) {
    super(RComment, kosha);
  }
}
