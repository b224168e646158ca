import { describe, expect, it } from 'vitest';
// Internals under test come from the sources, so the error classes must too.
import { ConfigError } from '../src/errors.js';
import { defineTransaction, rollsBackOn } from '../src/transaction/transaction-options.js';
import { transactional } from '../src/transaction/transactional.js';

class Soft extends Error {}
class Softer extends Soft {}

describe('transaction options', () => {
  it('refuse an unknown propagation, isolation or option, naming it', () => {
    expect(() => defineTransaction({ propagation: 'REQUIRE' as never })).toThrow(
      /unknown propagation "REQUIRE"/,
    );
    expect(() => defineTransaction({ isolation: 'SNAPSHOT' as never })).toThrow(
      /unknown isolation "SNAPSHOT"/,
    );
    expect(() => defineTransaction({ readonly: true } as never)).toThrow(/unknown option "readonly"/);
    expect(() => defineTransaction({ timeout: -1 })).toThrow(ConfigError);
  });

  it('fail when the class is defined, not when the method is called', () => {
    expect(() => {
      class Service {
        @transactional({ propagation: 'SOMETIMES' as never })
        async run() {}
      }
      return Service;
    }).toThrow(/@transactional on run: unknown propagation "SOMETIMES"/);
  });

  it('roll back on every error by default; the most specific rule wins', () => {
    expect(rollsBackOn(defineTransaction({}), new Error('x'))).toBe(true);
    expect(rollsBackOn(defineTransaction({}), 'a string')).toBe(true);
    const def = defineTransaction({ noRollbackFor: [Soft], rollbackFor: [Softer] });
    expect(rollsBackOn(def, new Soft())).toBe(false);
    expect(rollsBackOn(def, new Softer())).toBe(true);
    expect(rollsBackOn(def, new Error())).toBe(true);
    expect(
      rollsBackOn(
        defineTransaction({ noRollbackFor: [(e) => (e as Error).message === 'ok'] }),
        new Error('ok'),
      ),
    ).toBe(false);
  });
});
