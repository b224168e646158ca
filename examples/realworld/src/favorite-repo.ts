import { DbRepo, type Id, isIn, repository, transactional } from '@kosha/core';
import { type Article, Favorite, type User } from './entities.js';

/** Who favorited what. `add` and `remove` say whether they changed anything, for the counter. */
@repository
export class FavoriteRepo extends DbRepo<Favorite> {
  constructor() {
    super(Favorite);
  }

  /** Insert-or-skip: `true` if the user had not favorited the article yet. */
  @transactional
  async add(user: Id<User>, article: Id<Article>): Promise<boolean> {
    const inserted = await this.insertAll([{ user, article }], { ignoreDuplicates: true });
    return inserted.length === 1;
  }

  /** `true` if there was a favorite to remove. */
  @transactional
  async remove(user: Id<User>, article: Id<Article>): Promise<boolean> {
    return (await this.deleteWhere({ user, article })) === 1;
  }

  /** The ids of those of `articles` that `user` favorited. */
  @transactional({ readOnly: true })
  async favoritedIds(user: Id<User>, articles: readonly number[]): Promise<Set<number>> {
    if (articles.length === 0) return new Set();
    const rows = await this.find({ where: { user, article: isIn([...articles]) } });
    return new Set(rows.map((f) => f.article.id));
  }
}
