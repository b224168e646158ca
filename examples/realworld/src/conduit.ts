import { transactional } from '@kosha/core';
import { type ArticleFilter, ArticleRepo, type Window } from './article-repo.js';
import { CommentRepo } from './comment-repo.js';
import type { Article, User } from './entities.js';
import { forbidden, invalid, notFound, unauthorized } from './errors.js';
import { FavoriteRepo } from './favorite-repo.js';
import { FollowRepo } from './follow-repo.js';
import { hashPassword, passwordMatches } from './passwords.js';
import { TagRepo } from './tag-repo.js';
import { type UserChanges, UserRepo } from './user-repo.js';
import {
  type ArticleView,
  articleView,
  type CommentView,
  commentView,
  type ProfileView,
  profileView,
} from './views.js';

/** What a client sends to write an article. */
export interface ArticleInput {
  title: string;
  description: string;
  body: string;
  tagList: string[];
}

/** A URL-safe slug of a title: lower-case words joined by `-`. */
export function slugify(title: string): string {
  const slug = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || 'article';
}

/**
 * The Conduit use cases. Each is `@transactional` (or, `tagNames`, a repository call that is): in a
 * request it joins the request's transaction (dbMiddleware), from a script it runs in its own. `viewer` is the signed-in user's id,
 * `undefined` for an anonymous reader.
 */
export class Conduit {
  constructor(
    readonly users = new UserRepo(),
    readonly follows = new FollowRepo(),
    readonly tags = new TagRepo(),
    readonly articles = new ArticleRepo(),
    readonly favorites = new FavoriteRepo(),
    readonly comments = new CommentRepo(),
  ) {}

  @transactional
  async register(username: string, email: string, password: string): Promise<User> {
    if (await this.users.findOneByUsername(username)) throw invalid('username has already been taken');
    if (await this.users.findOneByEmail(email)) throw invalid('email has already been taken');
    return this.users.register({ username, email, passwordHash: await hashPassword(password) });
  }

  @transactional({ readOnly: true })
  async login(email: string, password: string): Promise<User> {
    const user = await this.users.findOneByEmail(email);
    if (!user || !(await passwordMatches(password, user.passwordHash)))
      throw invalid('email or password is invalid');
    return user;
  }

  /** The signed-in user, or a 401 when the token names nobody. */
  @transactional({ readOnly: true })
  async me(viewer: number | undefined): Promise<User> {
    const user = viewer === undefined ? null : await this.users.getById(viewer);
    if (!user) throw unauthorized();
    return user;
  }

  @transactional
  async updateMe(viewer: number | undefined, changes: UserChanges & { password?: string }): Promise<User> {
    const user = await this.me(viewer);
    const { password, ...rest } = changes;
    return this.users.change(
      user,
      password === undefined ? rest : { ...rest, passwordHash: await hashPassword(password) },
    );
  }

  @transactional({ readOnly: true })
  async profile(username: string, viewer: number | undefined): Promise<ProfileView> {
    const user = await this.userNamed(username);
    return profileView(user, await this.isFollowing(viewer, user));
  }

  @transactional
  async follow(viewer: number | undefined, username: string, follow: boolean): Promise<ProfileView> {
    const me = await this.me(viewer);
    const user = await this.userNamed(username);
    if (user.id === me.id) throw invalid('you cannot follow yourself');
    if (follow) await this.follows.follow(me.id, user.id);
    else await this.follows.unfollow(me.id, user.id);
    return profileView(user, follow);
  }

  @transactional({ readOnly: true })
  async listArticles(filter: ArticleFilter, window: Window, viewer: number | undefined) {
    const { articles, count } = await this.articles.list(filter, window);
    return { articles: await this.views(articles, viewer), articlesCount: count };
  }

  /** The articles of the authors the viewer follows, newest first. */
  @transactional({ readOnly: true })
  async feed(viewer: number | undefined, window: Window) {
    const me = await this.me(viewer);
    const followed = await this.follows.followedIds(me.id);
    const { articles, count } = await this.articles.byAuthors([...followed], window);
    return { articles: await this.views(articles, me.id), articlesCount: count };
  }

  @transactional({ readOnly: true })
  async article(slug: string, viewer: number | undefined): Promise<ArticleView> {
    return this.view(await this.articleAt(slug), viewer);
  }

  /** Creates the article and the tags it names that do not exist yet (safe under concurrency). */
  @transactional
  async createArticle(viewer: number | undefined, input: ArticleInput): Promise<ArticleView> {
    const author = await this.me(viewer);
    const slug = slugify(input.title);
    if (await this.articles.existsBySlug(slug))
      throw invalid(`an article titled like "${input.title}" exists`);
    const tags = await this.tags.ensure(input.tagList);
    const { tagList: _, ...fields } = input;
    const article = await this.articles.create({ ...fields, slug, author }, tags);
    return articleView(article, false, false);
  }

  @transactional
  async updateArticle(
    viewer: number | undefined,
    slug: string,
    changes: Partial<Omit<ArticleInput, 'tagList'>>,
  ) {
    const me = await this.me(viewer);
    const article = await this.articleAt(slug);
    if (article.author.id !== me.id) throw forbidden('only the author may change an article');
    Object.assign(article, changes);
    if (changes.title !== undefined) article.slug = slugify(changes.title);
    return this.view(await this.articles.update(article), me.id);
  }

  /** Deletes the article; the database deletes its favorites, comments and tag links with it. */
  @transactional
  async deleteArticle(viewer: number | undefined, slug: string): Promise<void> {
    const me = await this.me(viewer);
    const article = await this.articleAt(slug);
    if (article.author.id !== me.id) throw forbidden('only the author may delete an article');
    await this.articles.delete(article.id);
  }

  /**
   * Favorites (or unfavorites) an article: the favorite is inserted or skipped, and only a change
   * moves the counter, by an atomic `+ 1` / `- 1`. Twenty clients at once leave it at exactly 20.
   */
  @transactional
  async favorite(viewer: number | undefined, slug: string, favorite: boolean): Promise<ArticleView> {
    const me = await this.me(viewer);
    const locked = await this.articles.lockBySlug(slug);
    if (!locked) throw notFound('article');
    if (favorite) {
      if (await this.favorites.add(me.id, locked.id)) await this.articles.favorited(locked.id);
    } else if (await this.favorites.remove(me.id, locked.id)) {
      await this.articles.unfavorited(locked.id);
    }
    return this.view(await this.articleAt(slug), me.id);
  }

  @transactional
  async addComment(viewer: number | undefined, slug: string, body: string): Promise<CommentView> {
    const me = await this.me(viewer);
    const article = await this.articleAt(slug);
    const comment = await this.comments.add(article.id, me.id, body);
    comment.author = me;
    return commentView(comment, false);
  }

  @transactional({ readOnly: true })
  async commentsOf(slug: string, viewer: number | undefined): Promise<CommentView[]> {
    const comments = await this.comments.ofArticle((await this.articleAt(slug)).id);
    const followed =
      viewer === undefined
        ? new Set<number>()
        : await this.follows.followedIds(
            viewer,
            comments.map((c) => c.author.id),
          );
    return comments.map((c) => commentView(c, followed.has(c.author.id)));
  }

  /** Soft-deletes the comment: it stays in the table with `deleted_at` set, and no read returns it. */
  @transactional
  async deleteComment(viewer: number | undefined, slug: string, commentId: number): Promise<void> {
    const me = await this.me(viewer);
    const article = await this.articleAt(slug);
    const comment = await this.comments.getById(commentId);
    if (!comment || comment.article.id !== article.id) throw notFound('comment');
    if (comment.author.id !== me.id) throw forbidden('only the author may delete a comment');
    await this.comments.delete(commentId);
  }

  /** Every tag name (cached; a new tag evicts the list). */
  async tagNames(): Promise<string[]> {
    return this.tags.allNames();
  }

  private async userNamed(username: string): Promise<User> {
    const user = await this.users.findOneByUsername(username);
    if (!user) throw notFound('profile');
    return user;
  }

  private async isFollowing(viewer: number | undefined, user: User): Promise<boolean> {
    return viewer !== undefined && (await this.follows.exists({ follower: viewer, followee: user.id }));
  }

  private async articleAt(slug: string): Promise<Article> {
    const article = await this.articles.findOneBySlug(slug, { populate: ['author', 'tags'] });
    if (!article) throw notFound('article');
    return article;
  }

  private async view(article: Article, viewer: number | undefined): Promise<ArticleView> {
    return (await this.views([article], viewer))[0]!;
  }

  /** Views of articles whose authors and tags are loaded: two queries for the viewer's flags, not 2 per article. */
  private async views(articles: readonly Article[], viewer: number | undefined): Promise<ArticleView[]> {
    if (viewer === undefined) return articles.map((a) => articleView(a, false, false));
    const favorited = await this.favorites.favoritedIds(
      viewer,
      articles.map((a) => a.id),
    );
    const followed = await this.follows.followedIds(
      viewer,
      articles.map((a) => a.author.id),
    );
    return articles.map((a) => articleView(a, favorited.has(a.id), followed.has(a.author.id)));
  }
}
