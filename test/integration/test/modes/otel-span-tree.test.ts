import type { AddressInfo } from 'node:net';
import {
  cacheable,
  column,
  DbRepo,
  entity,
  id,
  type Kosha,
  repository,
  table,
  transactional,
} from '@kosha/core';
import { koshaInstrumentation } from '@kosha/otel';
import { createTestKosha, type TestKit } from '@kosha/testing';
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

// The real SDK, as an application sets it up: a context manager, a tracer and a meter provider, the HTTP
// server instrumentation and Kosha's, registered before the web framework is loaded.
const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 });
const meterProvider = new MeterProvider({ readers: [reader] });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(tracerProvider);
metrics.setGlobalMeterProvider(meterProvider);
const kosha_ = koshaInstrumentation();
const unregister = registerInstrumentations({
  tracerProvider,
  meterProvider,
  instrumentations: [new HttpInstrumentation(), kosha_],
});

@entity
@table('otel_users')
class User {
  @id({ autoincrement: true }) id!: number;
  @column({ type: 'string', length: 100 }) name!: string;
}

@repository
class UserRepo extends DbRepo<User> {
  constructor(kosha: Kosha) {
    super(User, kosha);
  }

  @transactional
  @cacheable({ keyPrefix: 'user', ttl: 60 })
  async get(userId: number) {
    return this.getById(userId);
  }

  @transactional({ propagation: 'REQUIRES_NEW' })
  async rename(userId: number, name: string) {
    const user = await this.getById(userId);
    if (!user) throw new Error('no such user');
    user.name = name;
    return this.update(user);
  }
}

let kit: TestKit;
let users: UserRepo;
let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  kit = await createTestKosha({ entities: [User], setDefault: false });
  users = new UserRepo(kit.kosha);
  await kit.load(User, [{ name: 'Ada' }]);
  const { default: express } = await import('express');
  const { dbMiddleware } = await import('@kosha/http-express');
  const app = express();
  app.use(dbMiddleware({ kosha: kit.kosha }));
  app.get('/users/:id', async (req, res) => {
    const user = await users.get(Number(req.params.id));
    res.json({ name: user?.name ?? null });
  });
  app.post('/fail', async () => {
    throw new Error('handler failed');
  });
  app.use(
    (_e: unknown, _req: unknown, res: { status(n: number): { json(b: unknown): void } }, _next: unknown) =>
      res.status(500).json({ failed: true }),
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((r) => server.close(() => r()));
});

afterAll(async () => {
  await close?.();
  await kit?.close();
  unregister();
  await meterProvider.shutdown();
  await tracerProvider.shutdown();
});

beforeEach(() => spans.reset());

/** The finished spans as a tree of names, children in start order. */
function tree(all: ReadableSpan[]): string[] {
  const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const s of all
      .filter((x) => parentOf(x) === parent)
      .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1])) {
      lines.push(`${'  '.repeat(depth)}${s.name}`);
      walk(s.spanContext().spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines;
}

const settled = () => new Promise((r) => setTimeout(r, 50));

describe('@kosha/otel with the OpenTelemetry SDK', () => {
  it('one request: the HTTP span, Kosha request scope under it, the cache read under that', async () => {
    await kit.cache?.clear();
    const miss = await fetch(`${base}/users/1`);
    expect(await miss.json()).toEqual({ name: 'Ada' });
    await settled();
    const all = spans.getFinishedSpans();
    // The miss's load joined the request's transaction (no span of its own); its result is written once
    // that transaction committed, by a hook that runs outside the ended scope: under the HTTP span.
    expect(tree(all)).toEqual([
      'GET',
      '  kosha.request',
      '    kosha.cache get user',
      '  kosha.cache put user',
    ]);
    const request = all.find((s) => s.name === 'kosha.request')!;
    expect(request.attributes).toMatchObject({
      'kosha.request.mode': 'request',
      'kosha.request.outcome': 'commit',
    });
    const get = all.find((s) => s.name === 'kosha.cache get user')!;
    expect(get.attributes).toMatchObject({
      'db.system.name': 'redis',
      'db.operation.name': 'get',
      'kosha.cache.name': 'user',
      'kosha.cache.hit': false,
    });
    for (const s of all) expect(JSON.stringify(s.attributes)).not.toContain('Ada');

    spans.reset();
    await fetch(`${base}/users/1`);
    await settled();
    const hit = spans.getFinishedSpans();
    expect(tree(hit)).toEqual(['GET', '  kosha.request', '    kosha.cache get user']);
    expect(hit.find((s) => s.name === 'kosha.cache get user')!.attributes['kosha.cache.hit']).toBe(true);
  });

  it('a transaction of its own in the background: its span with propagation, dialect and outcome', async () => {
    await users.rename(1, 'Ada L.');
    const [tx] = spans.getFinishedSpans().filter((s) => s.name.startsWith('kosha.transaction'));
    expect(tx!.name).toBe('kosha.transaction UserRepo.rename');
    expect(tx!.parentSpanContext).toBeUndefined();
    expect(tx!.attributes).toMatchObject({
      'db.system.name': 'sqlite',
      'db.operation.name': 'TRANSACTION',
      'kosha.transaction.propagation': 'REQUIRES_NEW',
      'kosha.transaction.read_only': false,
      'kosha.transaction.outcome': 'commit',
    });
  });

  it('a failed transaction: the span is an error with the error type, the outcome rollback', async () => {
    await expect(users.rename(99, 'nobody')).rejects.toThrow('no such user');
    const [tx] = spans.getFinishedSpans().filter((s) => s.name.startsWith('kosha.transaction'));
    expect(tx!.status.code).toBe(2); // SpanStatusCode.ERROR
    expect(tx!.attributes).toMatchObject({ 'kosha.transaction.outcome': 'rollback', 'error.type': 'Error' });
    expect(tx!.events.map((e) => e.name)).toContain('exception');
  });

  it('a request whose handler throws: the request scope span says rollback', async () => {
    expect((await fetch(`${base}/fail`, { method: 'POST' })).status).toBe(500);
    await settled();
    const request = spans.getFinishedSpans().find((s) => s.name === 'kosha.request')!;
    expect(request.attributes['kosha.request.outcome']).toBe('rollback');
  });

  it('counts cache lookups by cache and hit, and records transaction durations', async () => {
    await kit.cache?.clear();
    await users.get(1);
    await users.get(1);
    await reader.forceFlush();
    const scopes = metricExporter
      .getMetrics()
      .at(-1)!
      .scopeMetrics.find((m) => m.scope.name === '@kosha/otel')!;
    const lookups = scopes.metrics.find((m) => m.descriptor.name === 'kosha.cache.lookups')!;
    const byHit = Object.fromEntries(
      lookups.dataPoints.map((p) => [String(p.attributes['kosha.cache.hit']), p.value as number]),
    );
    expect(byHit.true).toBeGreaterThanOrEqual(1);
    expect(byHit.false).toBeGreaterThanOrEqual(1);
    expect(scopes.metrics.map((m) => m.descriptor.name)).toContain('kosha.transaction.duration');
  });

  it('disabled, it subscribes to nothing: no span, and Kosha builds no event', async () => {
    kosha_.disable();
    try {
      await users.rename(1, 'Ada');
      expect(spans.getFinishedSpans().filter((s) => s.name.startsWith('kosha.'))).toEqual([]);
    } finally {
      kosha_.enable();
    }
  });
});
