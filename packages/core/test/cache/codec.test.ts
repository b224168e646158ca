import {
  CacheError,
  column,
  decodeValue,
  embeddable,
  embedded,
  encodeValue,
  entity,
  id,
  manyToOne,
} from '@kosha/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

@entity
class Team {
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
}

@entity
class Player {
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
  @column({ type: 'bigint' }) score!: bigint;
  @column({ type: 'datetime' }) joined!: Date;
  @column({ type: 'json', nullable: true }) tags!: string[] | null;
  @manyToOne(() => Team, { nullable: true }) team!: Team | null;
}

const roundTrip = <T>(v: T): T => decodeValue(encodeValue(v)) as T;

@embeddable
class Place {
  @column({ type: 'string' }) city!: string;
}

@entity
class Venue {
  @id() id!: number;
  @embedded(() => Place) place!: Place;
  @embedded(() => Place, { nullable: true }) backup!: Place | null;
}

describe('cache codec', () => {
  it("revives an entity's @embedded values as instances of their @embeddable", () => {
    const venue = Object.assign(new Venue(), {
      id: 1,
      place: Object.assign(new Place(), { city: 'Delft' }),
      backup: null,
    });
    for (let i = 0; i < 2; i++) {
      const back = decodeValue(encodeValue(venue)) as Venue;
      expect(back).toBeInstanceOf(Venue);
      expect(back.place).toBeInstanceOf(Place);
      expect(Object.getPrototypeOf(back.place)).toBe(Place.prototype);
      expect(Object.getOwnPropertyDescriptor(back.place, 'city')).toMatchObject({
        value: 'Delft',
        writable: true,
      });
      expect(Object.keys(back)).toEqual(['id', 'place', 'backup']);
      expect(back.backup).toBeNull();
    }
  });

  it('round-trips Date, BigInt, Map, Set, Buffer, typed arrays and nested structures', () => {
    const value = {
      when: new Date('2026-11-25T08:00:00.123Z'),
      big: 2n ** 70n,
      neg: -12345678901234567890n,
      map: new Map<unknown, unknown>([
        [1, 'one'],
        ['k', new Set([1, 2])],
        [{ o: 1 }, [new Date(0)]],
      ]),
      set: new Set(['a', 'b']),
      buf: Buffer.from([0, 1, 2, 255]),
      u8: new Uint8Array([9, 8, 7]),
      f64: new Float64Array([1.5, -0, Number.NaN]),
      nested: [{ a: [1, [2, [3]]] }, null, true, 'x'],
      special: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, undefined],
      invalidDate: new Date(Number.NaN),
    };
    const back = roundTrip(value);
    expect(back).toStrictEqual(value);
    expect(Buffer.isBuffer(back.buf)).toBe(true);
    expect(back.u8).toBeInstanceOf(Uint8Array);
    expect(Object.is(back.special[3], -0)).toBe(true);
  });

  it('round-trips any JSON-like or rich value (property)', () => {
    const leaf = fc.oneof(
      fc.string(),
      fc.double(),
      fc.bigInt(),
      fc.boolean(),
      fc.constant(null),
      fc.date(),
      fc.uint8Array().map((a) => Buffer.from(a)),
      fc.int32Array(),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object'), tie('map'), tie('set')),
      array: fc.array(tie('tree'), { maxLength: 4 }),
      object: fc.dictionary(fc.string(), tie('tree'), { maxKeys: 4 }),
      map: fc.array(fc.tuple(tie('tree'), tie('tree')), { maxLength: 3 }).map((e) => new Map(e)),
      set: fc.array(tie('tree'), { maxLength: 3 }).map((e) => new Set(e)),
    }));
    fc.assert(
      fc.property(tree, (v) => {
        expect(roundTrip(v)).toStrictEqual(v);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps an own "__proto__" key as data, at any depth, without choosing a prototype', () => {
    const v = JSON.parse('{"__proto__":[],"a":{"__proto__":{"x":1}},"n":[{"__proto__":null}]}');
    const back = roundTrip(v) as Record<string, unknown>;
    expect(back).toStrictEqual(v);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(back.a)).toBe(Object.prototype);
  });

  it('keeps a user object that has a "$k" key a plain object', () => {
    const v = { $k: 'D', v: 'not a date', nested: { $k: 'E', c: 'Player' } };
    expect(roundTrip(v)).toStrictEqual(v);
  });

  it('revives registered entities as instances of their class, relations included', () => {
    const team = Object.assign(new Team(), { id: 7, name: 'Reds' });
    const p = Object.assign(new Player(), {
      id: 42,
      name: 'Ada',
      score: 10n ** 20n,
      joined: new Date('2026-01-02T03:04:05Z'),
      tags: ['a', 'b'],
      team,
    });
    const back = roundTrip(p);
    expect(back).toBeInstanceOf(Player);
    expect(back.team).toBeInstanceOf(Team);
    expect(back).toEqual(p);
    expect(roundTrip([p, { p }])).toEqual([p, { p }]);
  });

  it('decodes an entity as the payload has it, whichever fields it holds and in whatever order (property)', () => {
    // What every decoded entity must be: the payload's own fields as data, in its order, on the class's
    // prototype — the same for the field lists the decoder builds instances of directly and the rest.
    const mapped = ['id', 'name', 'score', 'joined', 'tags', 'team'];
    const value = fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.boolean());
    const key = fc.oneof(
      fc.constantFrom(...mapped, '__proto__', 'constructor', 'toJSON', 'toString', 'hasOwnProperty'),
      fc.string(),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 8 }),
        fc.boolean(),
        (entries, again) => {
          const fields = Object.fromEntries(entries.map(([k, v]) => [k, v]));
          // Object.fromEntries treats "__proto__" as data already; JSON keeps every key, in order.
          const payload = `k1:${JSON.stringify({ $k: 'E', c: 'Player', v: fields })}`;
          const back = decodeValue(payload) as Record<string, unknown>;
          if (again) expect(decodeValue(payload)).toEqual(back);
          expect(Object.getPrototypeOf(back)).toBe(Player.prototype);
          // Integer-like keys come first in any object, as JSON.parse orders them.
          expect(Object.keys(back)).toEqual(Object.keys(JSON.parse(JSON.stringify(fields))));
          for (const [k, v] of entries) {
            expect(Object.getOwnPropertyDescriptor(back, k)).toEqual({
              value: v,
              writable: true,
              enumerable: true,
              configurable: true,
            });
          }
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never runs a setter of the entity prototype while decoding', () => {
    @entity
    class Guarded {
      @id() id!: number;
      @column({ type: 'string' }) name!: string;
      @column({ type: 'string' }) note!: string;
    }
    let ran = 0;
    Object.defineProperty(Guarded.prototype, 'note', {
      get: () => 'from the prototype',
      set: () => {
        ran++;
      },
      configurable: true,
    });
    for (const v of [
      { id: 1, name: 'a', note: 'kept' },
      { id: 2, name: 'b' },
      { id: 3, name: 'c', note: 'kept' },
    ]) {
      const back = decodeValue(`k1:${JSON.stringify({ $k: 'E', c: 'Guarded', v })}`) as Guarded;
      expect(back).toBeInstanceOf(Guarded);
      expect({ ...back }).toEqual(v);
      if ('note' in v) expect(Object.getOwnPropertyDescriptor(back, 'note')?.value).toBe('kept');
    }
    expect(ran).toBe(0);
  });

  it('encodes an entity cycle as a reference instead of looping', () => {
    const a = Object.assign(new Team(), { id: 1, name: 'a' }) as Team & { self?: unknown };
    const p = Object.assign(new Player(), { id: 2, name: 'p', team: a });
    (a as unknown as { name: unknown }).name = 'a';
    const back = roundTrip({ p, again: p });
    expect(back.p).toBeInstanceOf(Player);
    expect(back.again).toBeInstanceOf(Player);
  });

  it('refuses what cannot round-trip: functions, symbols, foreign classes, cycles', () => {
    class Foreign {
      x = 1;
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const v of [() => 1, Symbol('s'), new Foreign(), cyclic, { f: () => 1 }, new WeakMap(), /re/]) {
      expect(() => encodeValue(v), String(v)).toThrow(CacheError);
    }
  });

  it('treats corrupt, truncated and foreign payloads as unreadable', () => {
    const good = encodeValue({ when: new Date(0), n: 1n });
    const bad = [
      '',
      'null',
      '{"a":1}',
      'k2:{}',
      good.slice(0, good.length - 3),
      'k1:{"$k":"Nope"}',
      'k1:{"$k":"E","c":"Unknown","v":{}}',
      'k1:{"$k":"B","v":"12x"}',
      'k1:{"$k":"D","v":"2026-01-01"}',
      'k1:{"$k":"M","v":[[1]]}',
      'k1:{"$k":"TA","c":"Function","v":""}',
      'k1:{"$k":"TA","c":"Float64Array","v":"AAE="}',
      'k1:{"$k":"n","v":"1e3"}',
      '\x80\x04\x95pickle',
    ];
    for (const payload of bad) expect(() => decodeValue(payload), payload).toThrow(CacheError);
  });

  it('never lets a payload pollute a prototype', () => {
    const payloads = [
      'k1:{"__proto__":{"polluted":1}}',
      'k1:{"a":{"__proto__":{"polluted":1}}}',
      'k1:{"$k":"o","v":{"__proto__":{"polluted":1}}}',
      'k1:{"$k":"E","c":"Player","v":{"__proto__":{"polluted":1},"id":1}}',
      'k1:{"$k":"M","v":[["__proto__",{"polluted":1}]]}',
      'k1:{"constructor":{"prototype":{"polluted":1}}}',
    ];
    for (const payload of payloads) {
      const v = decodeValue(payload) as Record<string, unknown>;
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(Object.prototype)).toBeNull();
      if (v instanceof Player) expect(Object.getPrototypeOf(v)).toBe(Player.prototype);
      else if (!(v instanceof Map)) expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    }
    const v = decodeValue(payloads[0]!) as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(v.polluted).toBeUndefined();
  });

  it('never throws anything but a CacheError on arbitrary text (fuzz)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json().map((j) => `k1:${j}`),
        ),
        (s) => {
          try {
            decodeValue(s);
          } catch (error) {
            expect(error).toBeInstanceOf(CacheError);
          }
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        },
      ),
      { numRuns: 500 },
    );
  });
});
