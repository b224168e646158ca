import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type StepResult } from '../src/scenario.js';
import { type RunningService, startService } from '../src/service.js';
import { formatTable } from '../src/table.js';

// The demo's scenario on the embedded defaults (SQLite in memory, in-memory cache), whatever the
// environment says: CI checks the README's first command here.
const EMBEDDED = { KOSHA_DATABASE_URL: 'sqlite::memory:', KOSHA_CACHE_URL: 'memory:' };

describe.each(['fastify', 'express'] as const)('the demo service scenario on %s', (framework) => {
  let service: RunningService;
  let rows: StepResult[];

  beforeAll(async () => {
    service = await startService({ framework, env: EMBEDDED });
    rows = await runScenario(service);
  });
  afterAll(() => service?.close());

  it('behaves as expected at every step', () => {
    expect(
      rows.filter((r) => !r.ok),
      formatTable(rows),
    ).toEqual([]);
    expect(rows).toHaveLength(10);
  });

  it('answers both cache hits with no SQL at all: the request transaction never begins', () => {
    const miss = rows.find((r) => r.step.startsWith('read it: cache miss'))!;
    expect(miss).toMatchObject({ status: 200, hits: 0, sql: 3 }); // BEGIN, SELECT, COMMIT
    for (const step of ['read it again', 'read: hit, put by the job']) {
      const hit = rows.find((r) => r.step.startsWith(step))!;
      expect(hit, step).toMatchObject({ status: 200, hits: 1, misses: 0, sql: 0 });
    }
  });

  it('rolls the failing request back and queues no job for it', () => {
    expect(rows.find((r) => r.step.startsWith('duplicate ISBN'))?.status).toBe(409);
    expect(service.jobs.done).toEqual([{ name: 'recount books of author 1', ok: true }]);
  });

  it('runs the background job in its own session (the background path)', () => {
    const job = rows.find((r) => r.status === undefined)!;
    expect(job.sql).toBeGreaterThan(0);
    expect(service.instruments.warnings.some((w) => w.includes('AuthorRepo.refreshBookCount'))).toBe(true);
  });
});
