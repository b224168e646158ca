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
import { KoshaInstrumentation, koshaInstrumentation } from '@kosha/otel';
import { createTestKosha, type TestKit } from '@kosha/testing';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

// The SDK's in-memory exporter; the HTTP server's span is played by a span the test makes active (the
// real HTTP instrumentation is in test/integration/test/modes/otel-span-tree.test.ts).
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const instrumentation = koshaInstrumentation();
instrumentation.setTracerProvider(provider);
const tracer = provider.getTracer('test');

@entity
@table('otel_notes')
class Note {
  @id({ autoincrement: true }) id!: number;
  @column({ type: 'string', length: 100 }) text!: string;
}

@repository
class NoteRepo extends DbRepo<Note> {
  constructor(kosha: Kosha) {
    super(Note, kosha);
  }

  @transactional
  @cacheable({ keyPrefix: 'note', ttl: 60 })
  async get(noteId: number) {
    return this.getById(noteId);
  }

  @transactional
  async edit(noteId: number, text: string) {
    await this.savepoint(noteId, text).catch(() => {});
    return this.get(noteId);
  }

  @transactional({ propagation: 'NESTED' })
  async savepoint(noteId: number, text: string) {
    const note = await this.getById(noteId);
    note!.text = text;
    throw new Error('changed my mind');
  }
}

let kit: TestKit;
let notes: NoteRepo;

beforeAll(async () => {
  kit = await createTestKosha({ entities: [Note], setDefault: false });
  notes = new NoteRepo(kit.kosha);
  await kit.load(Note, [{ text: 'first' }]);
});

afterAll(async () => {
  instrumentation.disable();
  await kit?.close();
});

beforeEach(async () => {
  await kit.cache?.clear();
  exporter.reset();
});

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const named = (name: string) => exporter.getFinishedSpans().find((s) => s.name === name)!;

describe('koshaInstrumentation', () => {
  it('is an OpenTelemetry instrumentation: name, version, config, enable and disable', () => {
    expect(instrumentation).toBeInstanceOf(KoshaInstrumentation);
    expect(instrumentation.instrumentationName).toBe('@kosha/otel');
    expect(instrumentation.getConfig()).toMatchObject({ enabled: true });
    const off = koshaInstrumentation({ enabled: false });
    expect(off.getConfig().enabled).toBe(false);
    off.enable();
    off.enable(); // idempotent
    off.disable();
    expect(off.getConfig().enabled).toBe(false);
  });

  it('nests a request scope under the active span, its savepoint and cache read under the request', async () => {
    await tracer.startActiveSpan('GET /notes/:id', async (http) => {
      const scope = await kit.kosha.openSession();
      await scope.run(() => notes.edit(1, 'second'));
      await scope.finish({ statusCode: 200 });
      await scope.close();
      http.end();
    });
    const http = named('GET /notes/:id');
    const request = named('kosha.request');
    const savepoint = named('kosha.transaction NoteRepo.savepoint');
    const get = named('kosha.cache get note');
    expect(parentOf(request)).toBe(http.spanContext().spanId);
    expect(parentOf(savepoint)).toBe(request.spanContext().spanId);
    expect(parentOf(get)).toBe(request.spanContext().spanId);
    expect(savepoint.attributes).toMatchObject({
      'db.system.name': 'sqlite',
      'db.operation.name': 'SAVEPOINT',
      'kosha.transaction.propagation': 'NESTED',
      'kosha.transaction.outcome': 'rollback',
      'error.type': 'Error',
    });
    expect(savepoint.status.code).toBe(2);
    expect(request.attributes['kosha.request.outcome']).toBe('commit');
    for (const s of exporter.getFinishedSpans()) {
      expect(JSON.stringify(s.attributes)).not.toMatch(/first|second|note:1/);
      expect(s.ended).toBe(true);
    }
  });

  it('cacheSpans: false drops the cache spans and keeps the transaction spans', async () => {
    instrumentation.setConfig({ cacheSpans: false });
    try {
      await notes.get(1);
      const names = exporter.getFinishedSpans().map((s) => s.name);
      expect(names).toContain('kosha.transaction NoteRepo.get');
      expect(names.filter((n) => n.startsWith('kosha.cache'))).toEqual([]);
    } finally {
      instrumentation.setConfig({});
    }
  });

  it('a KoshaError ends its span with its stable code as error.type', async () => {
    await expect(
      kit.kosha.transaction(async () => kit.kosha.transaction(async () => 1, { propagation: 'NEVER' })),
    ).rejects.toMatchObject({ code: expect.any(String) });
    const outer = named('kosha.transaction kosha.transaction');
    expect(outer.attributes['error.type']).toMatch(/^KOSHA_/);
  });
});
