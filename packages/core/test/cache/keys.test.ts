import { cacheKey, column, entity, InvalidArgumentError, id, keySegment } from '@kosha/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

@entity
class Account {
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
}

const arg = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', '1', ':', '%', '*', '?', '[', ']', '\\', '3', 'A', ' ') }),
  fc.integer(),
  fc.bigInt(),
  fc.boolean(),
);

describe('cache keys', () => {
  it('is {keyPrefix}:{first argument} by default, as in the seed', () => {
    expect(cacheKey('user', undefined, [42])).toBe('user:42');
    expect(cacheKey('user', undefined, ['ada', 'ignored'])).toBe('user:ada');
    expect(cacheKey('user', undefined, [10n])).toBe('user:10');
  });

  it('uses the key function when given, and an entity stands for its id', () => {
    expect(cacheKey('user', (a: number, b: string) => `${a}-${b}`, [1, 'x'])).toBe('user:1-x');
    const acc = Object.assign(new Account(), { id: 42, name: 'n' });
    expect(cacheKey('user', undefined, [acc])).toBe('user:42');
  });

  it('gives equal objects one key whatever their key order', () => {
    expect(cacheKey('q', undefined, [{ a: 1, b: [2] }])).toBe(cacheKey('q', undefined, [{ b: [2], a: 1 }]));
    expect(cacheKey('q', undefined, [{ a: 1 }])).not.toBe(cacheKey('q', undefined, [{ a: 2 }]));
    expect(cacheKey('q', undefined, [new Date(0)])).toBe('q:1970-01-01T00%3A00%3A00.000Z');
  });

  it('refuses a key function result that is not a string or number', () => {
    expect(() => cacheKey('user', () => ({}) as never, [1])).toThrow(InvalidArgumentError);
    expect(() => cacheKey('user', undefined, [Symbol('x')])).toThrow(InvalidArgumentError);
  });

  it('puts every argument in one segment: the key has no ":" after the prefix (property)', () => {
    fc.assert(
      fc.property(arg, (a) => {
        const key = cacheKey('user', undefined, [a]);
        expect(key.startsWith('user:')).toBe(true);
        expect(key.slice('user:'.length)).not.toContain(':');
      }),
    );
  });

  it('maps distinct arguments to distinct keys (property)', () => {
    fc.assert(
      fc.property(arg, arg, (a, b) => {
        fc.pre(String(a) !== String(b));
        expect(cacheKey('user', undefined, [a])).not.toBe(cacheKey('user', undefined, [b]));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps every argument out of another prefix: user never reaches users:… nor user:admin:… (property)', () => {
    fc.assert(
      fc.property(arg, fc.constantFrom('users', 'user:admin', 'use', 'user:1'), (a, other) => {
        const key = cacheKey('user', undefined, [a]);
        expect(key.startsWith(`${other}:`)).toBe(false);
        expect(cacheKey(other, undefined, [a]).startsWith('user:') && !other.startsWith('user:')).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('escapes reversibly', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const seg = keySegment(s);
        expect(seg).not.toContain(':');
        expect(decodeURIComponent(seg.replace(/%(?!25|3A)/g, '%25'))).toBe(s);
      }),
    );
  });
});
