import assert from 'node:assert/strict';
import { PROPAGATIONS, type Propagation } from '@kosha/core';
import { expectedOutcome, propagationMatrix } from '../propagation-oracle.js';
import type { SuiteRunner } from '../suite-runner.js';
import type { SuiteContext } from './suite-context.js';

class Boom extends Error {
  override name = 'Boom';
}

const errorName = (e: unknown) => (e === undefined ? null : ((e as Error)?.constructor?.name ?? String(e)));

/** The full propagation matrix: every outer mode × inner mode × who throws, against the oracle. */
export function propagationTests(t: SuiteRunner, ctx: () => SuiteContext): void {
  assert.equal(PROPAGATIONS.length, 7);
  for (const c of propagationMatrix()) {
    const name = `${c.outer} › ${c.inner}${c.innerThrows ? ' (inner throws)' : ''}${c.outerThrows ? ' (outer throws)' : ''}`;
    t.test(name, async () => {
      const { kosha, rows, label, concurrent } = ctx();
      const want = expectedOutcome(c, concurrent);
      const a = label('A');
      const b = label('B');
      let innerError: unknown;
      const run = (propagation: Propagation, fn: () => Promise<void>) =>
        kosha.transaction(fn, { propagation });
      let outerError: unknown;
      try {
        await run(c.outer, async () => {
          await rows.insertAll([{ label: a }]);
          try {
            await run(c.inner, async () => {
              await rows.insertAll([{ label: b }]);
              if (c.innerThrows) throw new Boom('inner');
            });
          } catch (error) {
            innerError = error;
          }
          if (c.outerThrows) throw new Boom('outer');
        });
      } catch (error) {
        outerError = error;
      }
      assert.equal(errorName(outerError), want.outerError, `outer error (${String(outerError)})`);
      if (c.outer !== 'MANDATORY')
        assert.equal(errorName(innerError), want.innerError, `inner error (${String(innerError)})`);
      assert.equal(await rows.countLabel(a), want.a ? 1 : 0, 'row A');
      assert.equal(await rows.countLabel(b), want.b ? 1 : 0, 'row B');
    });
  }
}
