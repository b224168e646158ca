import { DatabaseError, InvalidArgumentError } from '@kosha/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkStatement } from '../src/statement-check.js';
import type { Dialect } from '../src/url.js';

const DIALECTS = ['sqlite', 'postgresql', 'mysql', 'mariadb'] as const satisfies readonly Dialect[];

/** Any well-formed string: every code point, surrogate pairs included, NUL too. */
const wellFormed = fc.string({ unit: 'binary' });
const withoutNul = wellFormed.map((s) => s.replaceAll('\u0000', ''));
/**
 * A NUL-free well-formed string with one unpaired surrogate put in it (a well-formed neighbour can never
 * pair it). NUL-free because a NUL is refused on its own where it is refused (SQLite SQL text, anything on
 * PostgreSQL), which would hide the surrogate this property is about.
 */
const withLoneSurrogate = fc
  .tuple(withoutNul, fc.integer({ min: 0xd800, max: 0xdfff }), withoutNul)
  .map(([before, unit, after]) => before + String.fromCharCode(unit) + after);
const withNul = fc.tuple(withoutNul, withoutNul).map(([before, after]) => `${before}\u0000${after}`);

/** Parameters that are not strings: the check looks past them. */
const otherValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt(),
  fc.date({ noInvalidDate: true }),
  fc.uint8Array().map((bytes) => Buffer.from(bytes)),
);
/** A parameter without a bad string: a string, another value, or a JSON value (NUL-free when `strings` is). */
const goodValue = (strings: fc.Arbitrary<string>) => {
  const json = fc.jsonValue({ stringUnit: 'binary' });
  return fc.oneof(strings, otherValue, strings === withoutNul ? json.map(withoutNuls) : json);
};

function withoutNuls(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('\u0000', '');
  if (Array.isArray(value)) return value.map(withoutNuls);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutNuls(k), withoutNuls(v)]));
  }
  return value;
}

/** Puts `bad` somewhere in a statement: the SQL text, a parameter, or a string (value or key) inside one. */
const statementWith = (bad: fc.Arbitrary<string>, good: fc.Arbitrary<string>) =>
  fc
    .record({
      sql: good,
      before: fc.array(goodValue(good), { maxLength: 3 }),
      after: fc.array(goodValue(good), { maxLength: 3 }),
      bad,
      place: fc.constantFrom('sql', 'parameter', 'array', 'object value', 'object key', 'deep'),
    })
    .map(({ sql, before, after, bad, place }) => {
      const nested: Record<typeof place, unknown> = {
        sql: undefined,
        parameter: bad,
        array: ['ok', bad],
        'object value': { name: bad },
        'object key': { [bad]: 1 },
        deep: { tags: [{ label: [bad] }] },
      };
      return place === 'sql'
        ? { sql: sql + bad, parameters: [...before, ...after] }
        : { sql, parameters: [...before, nested[place], ...after] };
    });

const thrown = (fn: () => void): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('checkStatement', () => {
  it('lets well-formed strings through on every database (no NUL on PostgreSQL, none in SQLite SQL text)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DIALECTS).chain((dialect) => {
          const strings = dialect === 'postgresql' ? withoutNul : wellFormed;
          const text = dialect === 'mysql' || dialect === 'mariadb' ? wellFormed : withoutNul;
          return fc.tuple(fc.constant(dialect), text, fc.array(goodValue(strings), { maxLength: 6 }));
        }),
        ([dialect, sql, parameters]) => {
          checkStatement(dialect, sql, parameters);
        },
      ),
    );
  });

  it('refuses a lone surrogate anywhere in the statement, on every database', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DIALECTS),
        statementWith(withLoneSurrogate, withoutNul),
        (dialect, { sql, parameters }) => {
          const error = thrown(() => checkStatement(dialect, sql, parameters));
          expect(error).toBeInstanceOf(InvalidArgumentError);
          expect((error as Error).message).toMatch(
            /contains a lone UTF-16 surrogate \(\\uD800–\\uDFFF without its pair\) at index \d+, which the database would silently store as U\+FFFD\. Fix the string \(e\.g\. with `str\.toWellFormed\(\)`/,
          );
        },
      ),
    );
  });

  it('refuses a NUL anywhere in the statement on PostgreSQL, as invalid_data', () => {
    fc.assert(
      fc.property(statementWith(withNul, withoutNul), ({ sql, parameters }) => {
        const error = thrown(() => checkStatement('postgresql', sql, parameters));
        expect(error).toBeInstanceOf(DatabaseError);
        expect((error as DatabaseError).kind).toBe('invalid_data');
        expect((error as Error).message).toMatch(/PostgreSQL text cannot contain NUL characters/);
      }),
    );
  });

  it.each(['sqlite', 'mysql', 'mariadb'] as const)('lets a NUL in a parameter through on %s', (dialect) => {
    expect(() =>
      checkStatement(dialect, 'insert into t (s) values (?)', ['a\u0000b', { k: ['\u0000'] }]),
    ).not.toThrow();
  });

  it.each([
    ['The SQL text', "select '\uD800'", []],
    ['Parameter 2', 'select ?, ?', [1, 'ok\uDC00']],
    ['A string inside parameter 1', 'select ?', [{ tags: ['ok', 'x\uD83D'] }]],
  ] as const)('says where the lone surrogate is: %s', (where, sql, parameters) => {
    expect(() => checkStatement('mysql', sql, parameters)).toThrow(
      new RegExp(`^${where} contains a lone UTF-16 surrogate`),
    );
  });

  it('refuses a NUL in the SQL text on SQLite (it would cut the statement short), not in a bound parameter', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (before, after) => {
        const sql = `select * from t where token = '${before}\u0000${after}'`;
        const error = (() => {
          try {
            checkStatement('sqlite', sql, []);
          } catch (e) {
            return e;
          }
          return undefined;
        })();
        expect(error).toBeInstanceOf(DatabaseError);
        expect((error as DatabaseError).kind).toBe('invalid_data');
      }),
    );
    expect(() => checkStatement('sqlite', 'insert into t (token) values (?)', ['a\u0000b'])).not.toThrow();
  });

  it('says where the NUL is on PostgreSQL, and what to do', () => {
    expect(() => checkStatement('postgresql', 'select $1, $2', [1, 'ab\u0000'])).toThrow(
      /^Parameter 2 contains a NUL character \(U\+0000\) at index 2, and PostgreSQL text cannot contain NUL characters\. Remove it/,
    );
  });

  it('does not walk objects that are not plain (dates, buffers, class instances)', () => {
    class Holder {
      text = '\uD800';
    }
    expect(() =>
      checkStatement('postgresql', 'select $1, $2, $3', [new Date(), Buffer.from([0, 0xd8]), new Holder()]),
    ).not.toThrow();
  });

  it('stops walking very deep values instead of overflowing the stack', () => {
    let deep: unknown = '\uD800';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => checkStatement('sqlite', 'select ?', [deep])).not.toThrow();
  });
});
