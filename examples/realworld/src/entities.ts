import {
  column,
  createdAt,
  deletedAt,
  entity,
  id,
  type Many,
  many,
  manyToMany,
  manyToOne,
  OptionalProps,
  oneToMany,
  PrimaryKeyProp,
  table,
  updatedAt,
} from '@kosha/core';

/** A Conduit user. The password is kept as a salted scrypt hash (see passwords.ts). */
@entity
@table('users')
export class User {
  @id() id!: number;
  @column({ type: 'string', length: 40, unique: true }) username!: string;
  @column({ type: 'string', length: 255, unique: true }) email!: string;
  @column({ type: 'string', length: 200 }) passwordHash!: string;
  @column({ type: 'text', nullable: true }) bio!: string | null;
  @column({ type: 'string', length: 500, nullable: true }) image!: string | null;
}

/** `follower` follows `followee`: the pair is the key, so a user follows another at most once. */
@entity
@table('follows')
export class Follow {
  declare [PrimaryKeyProp]?: ['follower', 'followee'];
  @id @manyToOne(() => User, { onDelete: 'cascade' }) follower!: User;
  @id @manyToOne(() => User, { onDelete: 'cascade' }) followee!: User;
}

/** A tag; made on first use by concurrent article creations, so its name is unique. */
@entity
@table('tags')
export class Tag {
  @id() id!: number;
  @column({ type: 'string', length: 60, unique: true }) name!: string;
}

/** An article. Favoriting changes only the counter, which does not make the article "updated". */
@entity
@table('articles')
export class Article {
  declare [OptionalProps]?: 'favoritesCount' | 'createdAt' | 'updatedAt';
  @id() id!: number;
  @column({ type: 'string', length: 250, unique: true }) slug!: string;
  @column({ type: 'string', length: 200 }) title!: string;
  @column({ type: 'string', length: 500 }) description!: string;
  @column({ type: 'text' }) body!: string;
  @manyToOne(() => User, { onDelete: 'cascade' }) author!: User;
  @manyToMany(() => Tag, { table: 'article_tags' }) tags: Many<Tag> = many(this);
  // Only for conditions ("favorited by"): the count a reader sees is favoritesCount.
  @oneToMany(() => Favorite, 'article') favorites: Many<Favorite> = many(this);
  @column({ type: 'integer', default: 0, touchesUpdatedAt: false }) favoritesCount!: number;
  @createdAt() createdAt!: Date;
  @updatedAt() updatedAt!: Date;
}

/** `user` favorites `article`, at most once (the pair is the key). */
@entity
@table('favorites')
export class Favorite {
  declare [PrimaryKeyProp]?: ['user', 'article'];
  @id @manyToOne(() => User, { onDelete: 'cascade' }) user!: User;
  @id @manyToOne(() => Article, { onDelete: 'cascade' }) article!: Article;
}

/** A comment on an article; deleting one only marks it (`@deletedAt`), every read leaves it out. */
@entity
@table('comments')
export class Comment {
  declare [OptionalProps]?: 'createdAt' | 'updatedAt';
  @id() id!: number;
  @column({ type: 'text' }) body!: string;
  @manyToOne(() => User, { onDelete: 'cascade' }) author!: User;
  @manyToOne(() => Article, { onDelete: 'cascade' }) article!: Article;
  @createdAt() createdAt!: Date;
  @updatedAt() updatedAt!: Date;
  @deletedAt() deletedAt?: Date | null;
}

/** Every entity of the app, for `createKosha({ entities })`. */
export const entities = [User, Follow, Tag, Article, Favorite, Comment];
