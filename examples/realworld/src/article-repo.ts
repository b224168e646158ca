import {
  DbRepo,
  decrement,
  type Id,
  type InsertRow,
  increment,
  isIn,
  repository,
  transactional,
  type Where,
} from '@kosha/core';
import { Article, type Tag } from './entities.js';

/** The query string of `GET /api/articles`: each given filter must hold. */
export interface ArticleFilter {
  /** Articles with this tag. */
  tag?: string | undefined;
  /** Articles by this username. */
  author?: string | undefined;
  /** Articles this username favorited. */
  favorited?: string | undefined;
}

/** RealWorld pages by `limit` and `offset`. */
export interface Window {
  limit: number;
  offset: number;
}

/** One window of articles, newest first, and how many match in all. */
export interface ArticleList {
  articles: Article[];
  count: number;
}

/** Articles: the lists, the feed, the slug lookups and the favorites counter. */
@repository
export class ArticleRepo extends DbRepo<Article> {
  readonly findOneBySlug = this.derive('findOneBySlug');
  readonly existsBySlug = this.derive('existsBySlug');

  constructor() {
    super(Article);
  }

  /** `GET /api/articles`: a to-many condition (`tags`, `favorites`) is "some related row matches". */
  @transactional({ readOnly: true })
  async list(filter: ArticleFilter, window: Window): Promise<ArticleList> {
    const where: Where<Article> = {};
    if (filter.tag !== undefined) where.tags = { name: filter.tag };
    if (filter.author !== undefined) where.author = { username: filter.author };
    if (filter.favorited !== undefined) where.favorites = { user: { username: filter.favorited } };
    return this.window(where, window);
  }

  /** `GET /api/articles/feed`: the articles of these authors (the ones the reader follows). */
  @transactional({ readOnly: true })
  async byAuthors(authorIds: readonly number[], window: Window): Promise<ArticleList> {
    return this.window({ author: isIn([...authorIds]) }, window);
  }

  /** A new article with its tags: the tags are added to its `Many`, which writes the pivot rows. */
  @transactional
  async create(row: Omit<InsertRow<Article>, 'tags' | 'favorites'>, tags: readonly Tag[]): Promise<Article> {
    const article = Object.assign(new Article(), row);
    article.tags.add(...tags);
    const [saved] = await this.insertAll([article]);
    return saved!;
  }

  /**
   * Reads the article to favorite and locks its row until the transaction ends: concurrent favorites
   * of one article queue here, before they insert a favorite (whose foreign key check share-locks the
   * article row on MariaDB) and bump the counter — two share locks both waiting to become exclusive
   * would be a deadlock.
   */
  @transactional
  async lockBySlug(slug: string): Promise<Article | null> {
    return this.findOne({ slug }, { lock: 'pessimistic_write' });
  }

  /** `favoritesCount = favoritesCount + 1`, computed by the database: no increment is ever lost. */
  @transactional
  async favorited(id: Id<Article>): Promise<void> {
    await this.updateWhere({ id }, { favoritesCount: increment(1) });
  }

  @transactional
  async unfavorited(id: Id<Article>): Promise<void> {
    await this.updateWhere({ id }, { favoritesCount: decrement(1) });
  }

  private async window(where: Where<Article>, { limit, offset }: Window): Promise<ArticleList> {
    // find + count rather than findPage: RealWorld's offset need not be a multiple of its limit, and
    // the list needs its authors and tags populated.
    const articles = await this.find({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      limit,
      offset,
      populate: ['author', 'tags'],
    });
    return { articles, count: await this.count(where) };
  }
}
