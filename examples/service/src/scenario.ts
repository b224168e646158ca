import type { Counts } from './instruments.js';
import type { RunningService } from './service.js';

/** One row of the scenario's table. */
export interface StepResult {
  readonly step: string;
  /** `POST /authors`, or `(background job)`. */
  readonly request: string;
  /** HTTP status; `undefined` for the background job. */
  readonly status: number | undefined;
  readonly sql: number;
  readonly hits: number;
  readonly misses: number;
  /** True when the step behaved as the scenario expects. */
  readonly ok: boolean;
  /** What was checked (and, when not ok, what went wrong). */
  readonly note: string;
}

interface Observed {
  status: number;
  body: unknown;
  counts: Counts;
  statements: string[];
}

type Check = (o: Observed) => string | undefined;

const delta = (before: Counts, after: Counts): Counts => ({
  sql: after.sql - before.sql,
  hits: after.hits - before.hits,
  misses: after.misses - before.misses,
});

const selects = (statements: string[]) => statements.filter((s) => /^\s*select\b/i.test(s)).length;
const isbnTaken = `978-0-00-${String(Date.now() % 1_000_000).padStart(6, '0')}`;

/**
 * Drives the service over real HTTP: create, read twice (miss, then hit), rename (evicts), add books
 * (a background job recounts them and puts the author in the cache), a failing request (rolled back,
 * checked to have left nothing). Returns one row per step; every row says whether it behaved.
 */
export async function runScenario(service: RunningService): Promise<StepResult[]> {
  const { instruments, jobs } = service;
  const results: StepResult[] = [];

  async function step(name: string, method: string, path: string, body: unknown, ...checks: Check[]) {
    const before = instruments.snapshot().request;
    const firstStatement = instruments.statements.request.length;
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const observed: Observed = {
      status: response.status,
      body: text ? JSON.parse(text) : undefined,
      counts: delta(before, instruments.snapshot().request),
      statements: instruments.statements.request.slice(firstStatement),
    };
    const failures = checks.map((c) => c(observed)).filter((f): f is string => f !== undefined);
    results.push({
      step: name,
      request: `${method} ${path}`,
      status: observed.status,
      ...observed.counts,
      ok: failures.length === 0,
      note: failures.join('; '),
    });
    return observed.body as Record<string, unknown> & Record<number, Record<string, unknown>>;
  }

  const status =
    (expected: number): Check =>
    (o) =>
      o.status === expected ? undefined : `expected ${expected}, got ${o.status} ${JSON.stringify(o.body)}`;
  // A miss reads the cache once, or twice when another load of the key finished meanwhile (single-flight re-check).
  const hit: Check = (o) =>
    o.counts.hits === 1 && o.counts.misses === 0
      ? undefined
      : `expected a hit, got ${o.counts.hits} hit(s) and ${o.counts.misses} miss(es)`;
  const miss: Check = (o) =>
    o.counts.hits === 0 && o.counts.misses > 0
      ? undefined
      : `expected a miss, got ${o.counts.hits} hit(s) and ${o.counts.misses} miss(es)`;
  const readOnly: Check = (o) =>
    o.statements.some((s) => /^\s*(insert|update|delete)\b/i.test(s)) ? 'a read must not write' : undefined;
  // The request's transaction begins at its first statement: a hit runs none, so it sends nothing at all.
  const nothingSent: Check = (o) =>
    o.statements.length === 0
      ? undefined
      : `a cache hit must send no statement, sent ${o.statements.length}: ${o.statements.join('; ')}`;
  const someSelect: Check = (o) => (selects(o.statements) > 0 ? undefined : 'a miss must read the database');
  const field =
    (name: string, expected: unknown): Check =>
    (o) => {
      const actual = (o.body as Record<string, unknown> | undefined)?.[name];
      return actual === expected
        ? undefined
        : `expected ${name} ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
    };

  const ada = await step('create an author', 'POST', '/authors', { name: 'Ada Lovelace' }, status(201));
  const id = Number(ada?.id);
  await step(
    'read it: cache miss',
    'GET',
    `/authors/${id}`,
    undefined,
    status(200),
    miss,
    someSelect,
    readOnly,
  );
  await step('read it again: cache hit', 'GET', `/authors/${id}`, undefined, status(200), hit, nothingSent);
  await step(
    'rename: @cacheEvict',
    'PATCH',
    `/authors/${id}`,
    { name: 'Ada King' },
    status(200),
    field('name', 'Ada King'),
  );
  await step(
    'read after rename: miss',
    'GET',
    `/authors/${id}`,
    undefined,
    status(200),
    miss,
    readOnly,
    field('name', 'Ada King'),
  );
  const books = [
    { title: 'Notes on the Analytical Engine', isbn: isbnTaken },
    { title: 'Sketch of the Analytical Engine', isbn: `${isbnTaken}-2` },
  ];
  // The job starts once the response has left, maybe before this process has read it: count from here.
  const jobBefore = instruments.snapshot().job;
  await step('add 2 books (queues a job)', 'POST', `/authors/${id}/books`, { books }, status(201));

  await jobs.idle();
  const job = delta(jobBefore, instruments.snapshot().job);
  const last = jobs.done.at(-1);
  const jobFailures = [
    last?.ok ? undefined : `the job failed: ${last?.error ?? 'it never ran'}`,
    job.sql > 0 ? undefined : 'the job ran no SQL',
  ].filter((f): f is string => f !== undefined);
  results.push({
    step: 'background: recount, @cachePut',
    request: '(job, own session)',
    status: undefined,
    ...job,
    ok: jobFailures.length === 0,
    note: jobFailures.join('; '),
  });

  await step(
    'read: hit, put by the job',
    'GET',
    `/authors/${id}`,
    undefined,
    status(200),
    hit,
    nothingSent,
    field('bookCount', 2),
  );
  await step(
    'duplicate ISBN: rolled back',
    'POST',
    `/authors/${id}/books`,
    {
      books: [
        { title: 'Lost in the rollback', isbn: `${isbnTaken}-3` },
        { title: 'Duplicate', isbn: isbnTaken },
      ],
    },
    status(409),
  );
  const jobsAfterFailure = jobs.done.length;
  await step('list books: nothing left', 'GET', `/authors/${id}/books`, undefined, status(200), (o) => {
    const titles = (o.body as { title: string }[]).map((b) => b.title);
    return titles.length === 2 && !titles.includes('Lost in the rollback')
      ? undefined
      : `expected the 2 committed books only, got ${JSON.stringify(titles)}`;
  });
  await jobs.idle();
  if (jobs.done.length !== jobsAfterFailure) {
    results.push({
      step: 'no job after a failure',
      request: '(job)',
      status: undefined,
      sql: 0,
      hits: 0,
      misses: 0,
      ok: false,
      note: 'the failed request queued a job',
    });
  }
  return results;
}
