import { createKosha, type Kosha } from '@kosha/core';
import type { SuiteRunner } from '../suite-runner.js';
import { builtinTests } from './builtins.js';
import { derivedTests } from './derived.js';
import { DERIVED_ENTITIES } from './derived-entities.js';
import { CONFORMANCE_ENTITIES, ConfPersonRepo, ConfRowRepo } from './entities.js';
import { KEY_ENTITIES } from './key-entities.js';
import { keyTests } from './keys.js';
import { lockTests } from './locks.js';
import { propagationTests } from './propagation.js';
import { queryTests } from './queries.js';
import { RELATION_ENTITIES } from './relation-entities.js';
import { relationTests } from './relations.js';
import { softDeleteTests } from './soft-delete.js';
import type { BackendFactory, SuiteContext } from './suite-context.js';
import { transactionTests } from './transactions.js';
import { WRITE_ENTITIES } from './write-entities.js';
import { writeTests } from './writes.js';

/** Options of {@link backendConformance}. */
export interface BackendConformanceOptions {
  /** Name shown in the test titles (default: the backend's dialect). */
  name?: string | undefined;
}

/**
 * The conformance suite every ORM backend runs: every `DbRepo` built-in, the queries and the derived
 * query methods, composite keys and references, relations (many-to-many, one-to-one, cascades, embedded
 * values), the writes (upsert, updateWhere, deleteWhere), row locks and soft delete, transaction behaviour
 * (rollback, read-only, isolation, timeout, rollback rules, hooks, savepoints, REQUIRES_NEW, load),
 * and the full propagation matrix — 7 × 7 modes × who throws — checked row by row in the database.
 * A backend is done when this suite passes unchanged.
 *
 * ```ts
 * import { beforeAll, afterAll, describe, test } from 'vitest';
 * backendConformance({ describe, test, beforeAll, afterAll }, () => mikroOrm({ url: 'sqlite::memory:' }));
 * ```
 */
export function backendConformance(
  runner: SuiteRunner,
  factory: BackendFactory,
  options: BackendConformanceOptions = {},
): void {
  let ctx: SuiteContext | undefined;
  let kosha: Kosha | undefined;
  const get = () => {
    if (!ctx) throw new Error('the backend did not start (see the beforeAll error)');
    return ctx;
  };

  runner.describe(`backend conformance${options.name ? `: ${options.name}` : ''}`, () => {
    runner.beforeAll(async () => {
      const backend = await factory();
      let opened = 0;
      const open = backend.openSession.bind(backend);
      backend.openSession = (o) => {
        opened++;
        return open(o);
      };
      kosha = await createKosha({
        orm: backend,
        entities: [
          ...CONFORMANCE_ENTITIES,
          ...DERIVED_ENTITIES,
          ...KEY_ENTITIES,
          ...RELATION_ENTITIES,
          ...WRITE_ENTITIES,
        ],
        cache: false,
        setDefault: false,
      });
      await kosha.schema.drop().catch(() => {});
      await kosha.schema.create();
      let n = 0;
      const run = Math.random().toString(36).slice(2, 8);
      ctx = {
        kosha,
        people: new ConfPersonRepo(kosha),
        rows: new ConfRowRepo(kosha),
        sessionsOpened: () => opened,
        label: (what) => `${run}:${++n}:${what}`,
        concurrent: kosha.orm.capabilities.concurrentTransactions,
      };
    });
    runner.afterAll(async () => {
      await kosha?.schema.drop().catch(() => {});
      await kosha?.close();
    });

    runner.describe('repository built-ins', () => builtinTests(runner, get));
    runner.describe('queries', () => queryTests(runner, get));
    runner.describe('derived query methods', () => derivedTests(runner, get));
    runner.describe('composite keys and references', () => keyTests(runner, get));
    runner.describe('relations and mapping', () => relationTests(runner, get));
    runner.describe('writes', () => writeTests(runner, get));
    runner.describe('locks', () => lockTests(runner, get));
    runner.describe('soft delete', () => softDeleteTests(runner, get));
    runner.describe('transactions', () => transactionTests(runner, get));
    runner.describe('propagation matrix', () => propagationTests(runner, get));
  });
}
