import { DatabaseError, InvalidArgumentError } from '@kosha/core';
import type { Dialect } from './url.js';

// The lib here is ES2023; `isWellFormed` is ES2024 and native in every Node that Kosha supports (≥ 20).
interface WellFormed {
  isWellFormed(): boolean;
}

// Arrays and objects nested deeper than this are not walked (JSON values are rarely a tenth as deep).
const MAX_DEPTH = 64;

const wellFormed = (s: string): boolean => (s as unknown as WellFormed).isWellFormed();

/** The index of the first lone surrogate in `s` (only called once `s` is known to have one). */
function loneSurrogateAt(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return i;
    } else if (c >= 0xdc00 && c <= 0xdfff) return i;
  }
  return -1;
}

function loneSurrogate(where: string, s: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `${where} contains a lone UTF-16 surrogate (\\uD800–\\uDFFF without its pair) at index ${loneSurrogateAt(s)}, ` +
      'which the database would silently store as U+FFFD. Fix the string ' +
      '(e.g. with `str.toWellFormed()` if replacement is acceptable).',
  );
}

function nul(where: string, s: string): DatabaseError {
  return new DatabaseError(
    'invalid_data',
    `${where} contains a NUL character (U+0000) at index ${s.indexOf('\u0000')}, and PostgreSQL text cannot ` +
      "contain NUL characters. Remove it (e.g. str.replaceAll('\\u0000', '')), or store the value as bytes.",
  );
}

function nulInSqliteText(sql: string): DatabaseError {
  return new DatabaseError(
    'invalid_data',
    `A value written into the SQL text contains a NUL character (U+0000) at index ${sql.indexOf('\u0000')}, ` +
      "where SQLite would cut the statement short. Remove it (e.g. str.replaceAll('\\u0000', '')), or store the value as bytes.",
  );
}

const bad = (s: string, postgres: boolean): boolean => !wellFormed(s) || (postgres && s.includes('\u0000'));

function refuse(where: string, s: string): never {
  throw wellFormed(s) ? nul(where, s) : loneSurrogate(where, s);
}

// The first bad string inside arrays and plain objects (JSON values, array columns), keys included;
// other objects (Date, Buffer, Uint8Array) are left alone.
function badInside(value: object, postgres: boolean, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = badValue(item, postgres, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return undefined;
  for (const key of Object.keys(value)) {
    if (bad(key, postgres)) return key;
    const found = badValue((value as Record<string, unknown>)[key], postgres, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function badValue(value: unknown, postgres: boolean, depth: number): string | undefined {
  if (typeof value === 'string') return bad(value, postgres) ? value : undefined;
  if (typeof value === 'object' && value !== null) return badInside(value, postgres, depth);
  return undefined;
}

/**
 * Refuses a statement whose text or parameters hold strings the database would not store as given: a
 * lone UTF-16 surrogate (every database replaces it with U+FFFD, silently) is an `InvalidArgumentError`;
 * a NUL character on PostgreSQL (its text types cannot hold one) is a `DatabaseError` of kind
 * `invalid_data`. Strings inside array and plain-object parameters are checked too. Called before
 * every statement is sent, so the common path is two native string scans per string.
 *
 * ```ts
 * checkStatement('postgresql', 'insert into users (name) values ($1)', ['Ada']); // fine
 * checkStatement('postgresql', 'insert into users (name) values ($1)', ['A\u0000da']); // throws invalid_data
 * ```
 */
export function checkStatement(dialect: Dialect, sql: string, parameters: readonly unknown[]): void {
  const postgres = dialect === 'postgresql';
  // SQLite stops reading a statement at a NUL: one in the text (where MikroORM writes values) would cut
  // the statement short. As a bound parameter it is stored as given.
  if (dialect === 'sqlite' && sql.includes('\u0000')) throw nulInSqliteText(sql);
  if (bad(sql, postgres)) refuse('The SQL text', sql);
  for (let i = 0; i < parameters.length; i++) {
    const value = parameters[i];
    if (typeof value === 'string') {
      if (bad(value, postgres)) refuse(`Parameter ${i + 1}`, value);
    } else if (typeof value === 'object' && value !== null) {
      const found = badInside(value, postgres, 0);
      if (found !== undefined) refuse(`A string inside parameter ${i + 1}`, found);
    }
  }
}
