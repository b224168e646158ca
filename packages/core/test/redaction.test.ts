import { redactSecrets, redactUrl } from '@kosha/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactUrl('postgresql://app:s3cret@db:5432/app')).toBe('postgresql://app:***@db:5432/app');
    expect(redactUrl('redis://:tok@cache:6379/0')).toBe('redis://:***@cache:6379/0');
    expect(redactUrl('redis://token@cache')).toBe('redis://***@cache');
    expect(redactUrl('sqlite::memory:')).toBe('sqlite::memory:');
  });

  it('never lets a password through, whatever it contains (fuzz)', () => {
    const secret = fc
      .string({ minLength: 6, maxLength: 30 })
      .filter((s) => !/[@/\s?#]/.test(s) && /^[\x21-\x7e]+$/.test(s));
    fc.assert(
      fc.property(
        fc.constantFrom('postgresql', 'mysql', 'mariadb', 'redis', 'rediss'),
        fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/),
        secret,
        fc.stringMatching(/^[a-z0-9.-]{1,20}$/),
        (scheme, user, password, host) => {
          const url = `${scheme}://${user}:${password}@${host}:1234/db`;
          const text = `connect ECONNREFUSED while using ${url} (retrying)`;
          expect(redactUrl(url)).not.toContain(`:${password}@`);
          expect(redactSecrets(text)).not.toContain(`:${password}@`);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('hides a password with a raw @, /, ? or # whole: the user part runs to the last @ (fuzz)', () => {
    const secret = fc
      .string({ minLength: 6, maxLength: 30 })
      .filter((s) => /[@/?#]/.test(s) && /^[\x21-\x7e]+$/.test(s));
    fc.assert(
      fc.property(fc.constantFrom('postgresql', 'mysql', 'redis'), secret, (scheme, password) => {
        const url = `${scheme}://app:${password}@db.internal:1234/app`;
        expect(redactUrl(url)).toBe(`${scheme}://app:***@db.internal:1234/app`);
        expect(redactSecrets(`failed: ${url} (retrying)`)).toBe(
          `failed: ${scheme}://app:***@db.internal:1234/app (retrying)`,
        );
      }),
      { numRuns: 300 },
    );
  });
});
