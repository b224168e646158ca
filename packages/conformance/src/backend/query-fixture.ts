// The rows the query tests run against, and an in-memory model of what a query must return: SQL's
// three-valued logic (a comparison with NULL is neither true nor false), text compared code point by code
// point, LIKE with `\` as its escape, and `ignoreCase` folding ASCII letters only.
import type { InsertRow } from '@kosha/core';
import type { QAuthor, QPost } from './entities.js';

/** An author row of the fixture, as the model sees it. */
export interface AuthorRow {
  username: string;
  nickname: string | null;
  age: number | null;
  score: number;
  active: boolean;
  joined: Date;
}

/** A post row of the fixture: `author` is an index into {@link AUTHORS}, or null. */
export interface PostRow {
  title: string;
  views: number | null;
  author: number | null;
}

const day = (d: number, ms = 0) => new Date(Date.UTC(2026, 0, d, 12, 0, 0, ms));

/** Mixed case, trailing spaces, accents, LIKE and glob characters, quotes, astral and ligature characters. */
export const AUTHORS: readonly AuthorRow[] = [
  { username: 'ada', nickname: 'Ace', age: 36, score: 1.5, active: true, joined: day(1) },
  { username: 'Ada', nickname: 'ace', age: null, score: -2.25, active: false, joined: day(2, 250) },
  { username: 'ADA', nickname: null, age: 18, score: 0, active: true, joined: day(3) },
  { username: 'ada ', nickname: '%', age: 70, score: 1e6, active: false, joined: day(3, 1) },
  { username: 'Élan', nickname: 'élan', age: 25, score: 1.5, active: true, joined: day(5) },
  { username: 'élan', nickname: '_', age: null, score: 3.75, active: true, joined: day(6) },
  { username: '50%_off', nickname: 'a_b', age: 50, score: -0.5, active: false, joined: day(7) },
  { username: 'a_b\\c', nickname: 'A%B', age: 18, score: 2, active: true, joined: day(8) },
  { username: '😀 smile', nickname: null, age: 1, score: 0.125, active: false, joined: day(9) },
  { username: '\uFB00 lig', nickname: "o'neil", age: 99, score: 7, active: true, joined: day(10) },
  { username: 'straße', nickname: 'STRASSE', age: 42, score: -7.5, active: true, joined: day(11) },
  { username: "x'; drop table y; --", nickname: '[a-z]*?', age: 0, score: 8, active: false, joined: day(12) },
];

/** Posts, some without an author, some authors without posts. */
export const POSTS: readonly PostRow[] = [
  { title: 'Hello', views: 10, author: 0 },
  { title: 'hello', views: null, author: 0 },
  { title: 'HELLO world', views: 3, author: 1 },
  { title: '100% sure', views: 0, author: 2 },
  { title: 'under_score', views: 7, author: 4 },
  { title: 'Élan vital', views: null, author: 4 },
  { title: 'orphan', views: 1, author: null },
  { title: 'Orphan', views: null, author: null },
  { title: '😀', views: 99, author: 8 },
  { title: 'ß', views: 5, author: 10 },
  { title: 'back\\slash', views: 2, author: 7 },
  { title: 'a', views: 10, author: 6 },
];

/** The fixture as insertable rows. */
export function authorRows(): InsertRow<QAuthor>[] {
  return AUTHORS.map((a) => ({ ...a }));
}

/** The fixture's posts as insertable rows, `authors` the inserted authors in fixture order. */
export function postRows(authors: readonly QAuthor[]): InsertRow<QPost>[] {
  return POSTS.map((p) => ({
    title: p.title,
    views: p.views,
    author: p.author === null ? null : authors[p.author]!,
  }));
}

/** SQL's truth values. */
export type Truth = boolean | null;

export const and3 = (xs: Truth[]): Truth => (xs.includes(false) ? false : xs.includes(null) ? null : true);
export const or3 = (xs: Truth[]): Truth => (xs.includes(true) ? true : xs.includes(null) ? null : false);
export const not3 = (x: Truth): Truth => (x === null ? null : !x);

/** ASCII A–Z to a–z, nothing else: Kosha's `ignoreCase`. */
export const foldAscii = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/** Code point order (UTF-16 order differs from it above the surrogates). */
export function compareText(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Orders two column values of one type. */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return compareText(a, b);
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  return Number(a) - Number(b);
}

/** SQL LIKE with `\` as the escape character: `%` any run of characters, `_` one character. */
export function likeMatches(value: string, pattern: string): boolean {
  let re = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\' && i + 1 < chars.length) re += escapeRegExp(chars[++i]!);
    else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += escapeRegExp(c);
  }
  return new RegExp(`^${re}$`, 'u').test(value);
}

function escapeRegExp(c: string): string {
  return c.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}
