import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CallInFlight, CallsInFlight } from '../../src/cache/calls-in-flight.js';

describe('the calls a fail-open cache watches', () => {
  it('keeps only the calls that have not settled, whatever order they settle in', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.integer({ min: 0, max: 50 }),
        (deadlines, removals, now) => {
          const list = new CallsInFlight();
          const expired: number[] = [];
          const calls = deadlines.map((d, i) => new CallInFlight(d, 1, () => expired.push(i)));
          for (const c of calls) list.add(c);
          const live = new Set(calls.keys());
          for (const r of removals) {
            const i = r % calls.length;
            list.remove(calls[i]!); // twice is a no-op
            live.delete(i);
          }
          expect(list.size).toBe(live.size);
          list.expireDue(now);
          const due = [...live].filter((i) => deadlines[i]! <= now);
          expect(expired.sort((a, b) => a - b)).toEqual(due);
          expect(list.size).toBe(live.size - due.length);
          list.expireDue(now); // expired calls left the list: never expired twice
          expect(expired).toHaveLength(due.length);
        },
      ),
    );
  });
});
