import type { Article, Comment, User } from './entities.js';

/** `{ user }` of the spec: the signed-in user and the token to send back. */
export interface UserView {
  email: string;
  token: string;
  username: string;
  bio: string | null;
  image: string | null;
}

/** `{ profile }`: a user as another sees them. */
export interface ProfileView {
  username: string;
  bio: string | null;
  image: string | null;
  following: boolean;
}

/** `{ article }`, and each of `{ articles, articlesCount }`. */
export interface ArticleView {
  slug: string;
  title: string;
  description: string;
  body: string;
  tagList: string[];
  createdAt: string;
  updatedAt: string;
  favorited: boolean;
  favoritesCount: number;
  author: ProfileView;
}

/** `{ comment }`, and each of `{ comments }`. */
export interface CommentView {
  id: number;
  createdAt: string;
  updatedAt: string;
  body: string;
  author: ProfileView;
}

/**
 * The token is the user's id: a stand-in for the spec's JWT, so that the example needs no JWT
 * library. Anyone can forge one — never do this outside an example.
 */
export const tokenOf = (user: User): string => String(user.id);

export function userView(user: User): UserView {
  return {
    email: user.email,
    token: tokenOf(user),
    username: user.username,
    bio: user.bio ?? null,
    image: user.image ?? null,
  };
}

export function profileView(user: User, following: boolean): ProfileView {
  return { username: user.username, bio: user.bio ?? null, image: user.image ?? null, following };
}

/** An article whose author and tags are loaded. */
export function articleView(article: Article, favorited: boolean, following: boolean): ArticleView {
  return {
    slug: article.slug,
    title: article.title,
    description: article.description,
    body: article.body,
    tagList: article.tags.items.map((t) => t.name).sort(),
    createdAt: article.createdAt.toISOString(),
    updatedAt: article.updatedAt.toISOString(),
    favorited,
    favoritesCount: article.favoritesCount,
    author: profileView(article.author, following),
  };
}

/** A comment whose author is loaded. */
export function commentView(comment: Comment, following: boolean): CommentView {
  return {
    id: comment.id,
    createdAt: comment.createdAt.toISOString(),
    updatedAt: comment.updatedAt.toISOString(),
    body: comment.body,
    author: profileView(comment.author, following),
  };
}
