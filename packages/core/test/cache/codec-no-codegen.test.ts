import { column, decodeValue, encodeValue, entity, id } from '@kosha/core';
import { afterEach, describe, expect, it } from 'vitest';

// Where Node refuses code generation (`--disallow-code-generation-from-strings`, a hardened runtime),
// `new Function` throws an EvalError: cached entities are still decoded, by giving the parsed fields the
// class's prototype. A file of its own: the codec remembers the refusal for the rest of the process.

@entity
class Note {
  @id() id!: number;
  @column({ type: 'string' }) text!: string;
  @column({ type: 'datetime' }) at!: Date;
}

const RealFunction = globalThis.Function;
afterEach(() => {
  globalThis.Function = RealFunction;
});

describe('cache codec without code generation', () => {
  it('decodes entities as instances of their class all the same', () => {
    let refused = 0;
    globalThis.Function = function Refusing() {
      refused++;
      throw new EvalError('Code generation from strings disallowed for this context');
    } as unknown as FunctionConstructor;
    const note = Object.assign(new Note(), { id: 1, text: 'hello', at: new Date(5) });
    for (let i = 0; i < 3; i++) {
      const back = decodeValue(encodeValue(note)) as Note;
      expect(back).toBeInstanceOf(Note);
      expect(Object.getPrototypeOf(back)).toBe(Note.prototype);
      expect(back).toEqual(note);
      expect(Object.keys(back)).toEqual(['id', 'text', 'at']);
    }
    // Tried once, then never again.
    expect(refused).toBe(1);
  });
});
