import { tracingChannel } from 'node:diagnostics_channel';
import {
  type CacheEvent,
  cacheable,
  cacheEvict,
  column,
  DbRepo,
  entity,
  id,
  type Kosha,
  type KoshaEvent,
  type RequestEvent,
  repository,
  type TransactionEvent,
  transactional,
} from '@kosha/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControlledProvider, capturingLogger, testKosha } from '../cache/harness.js';

@entity
class Note {
  @id() id!: number;
  @column({ type: 'string' }) text!: string;
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
  @cacheEvict({ keyPrefix: 'note', key: (n: Note) => n.id })
  async save(n: Note) {
    return this.update(n);
  }

  @transactional({ propagation: 'NESTED' })
  async failInSavepoint(): Promise<void> {
    await this.getById(1);
    throw new Error('inner failure');
  }

  @transactional({ isolation: 'SERIALIZABLE' })
  async outer(): Promise<string> {
    await this.failInSavepoint().catch(() => {});
    return (await this.get(2))?.text ?? '';
  }
}

type Seen = { phase: string; event: KoshaEvent };

/** Subscribes to the three channels as a tracer would; returns what it saw, in order. */
function subscribe(): { seen: Seen[]; stop: () => void } {
  const seen: Seen[] = [];
  const stops: (() => void)[] = [];
  for (const name of ['kosha:transaction', 'kosha:cache', 'kosha:request']) {
    const channel = tracingChannel<KoshaEvent>(name);
    const handlers = {
      start: (event: KoshaEvent) => seen.push({ phase: 'start', event }),
      end: () => {},
      asyncStart: () => {},
      asyncEnd: (event: KoshaEvent) => seen.push({ phase: 'asyncEnd', event }),
      error: (event: KoshaEvent) => seen.push({ phase: 'error', event }),
    };
    channel.subscribe(handlers);
    stops.push(() => channel.unsubscribe(handlers));
  }
  return {
    seen,
    stop: () => {
      for (const s of stops) s();
    },
  };
}

const note = (i: number, text: string) => Object.assign(new Note(), { id: i, text });
let kosha: Kosha;
let repo: NoteRepo;
let tracer: ReturnType<typeof subscribe> | undefined;

beforeEach(async () => {
  ({ kosha } = await testKosha([Note], new ControlledProvider(), capturingLogger()));
  repo = new NoteRepo(kosha);
  await repo.insertAll([note(1, 'one'), note(2, 'two')]);
});

afterEach(() => tracer?.stop());

describe('Kosha publishes on node:diagnostics_channel', () => {
  it('a request scope, its transactions and its cache calls, each with its parent', async () => {
    tracer = subscribe();
    const scope = await kosha.openSession();
    const text = await scope.run(() => repo.outer());
    await scope.finish({ statusCode: 200 });
    await scope.close();
    expect(text).toBe('two');

    const ended = tracer.seen.filter((s) => s.phase === 'asyncEnd').map((s) => s.event);
    const request = ended.find((e): e is RequestEvent => e.kind === 'request')!;
    expect(request).toMatchObject({ mode: 'request', outcome: 'commit', parent: undefined });
    const txs = ended.filter((e): e is TransactionEvent => e.kind === 'transaction');
    // outer joins the request's transaction (no event of its own); the savepoint is a scope of its own.
    expect(txs).toHaveLength(1);
    expect(txs[0]).toMatchObject({
      name: 'NoteRepo.failInSavepoint',
      propagation: 'NESTED',
      nested: true,
      outcome: 'rollback',
      parent: request,
    });
    expect((txs[0]!.error as Error).message).toBe('inner failure');
    const gets = ended.filter((e): e is CacheEvent => e.kind === 'cache' && e.operation === 'get');
    expect(gets).toEqual([
      expect.objectContaining({
        cache: 'note',
        provider: 'controlled',
        hit: false,
        outcome: 'ok',
        parent: request,
      }),
    ]);
    for (const e of ended) expect(e.duration).toBeGreaterThanOrEqual(0);
    // Every event that started ended, in the nesting order.
    const starts = tracer.seen.filter((s) => s.phase === 'start').map((s) => s.event);
    expect(new Set(starts)).toEqual(new Set(ended));
    expect(starts[0]).toBe(request);
  });

  it('a transaction of its own: name, propagation, isolation, outcome; a hit and an eviction', async () => {
    await repo.get(1); // fills the cache before anyone listens
    tracer = subscribe();
    expect((await repo.get(1))?.text).toBe('one');
    await repo.save(note(1, 'uno'));
    await kosha.transaction(async () => 1, { isolation: 'SERIALIZABLE', readOnly: true });
    const ended = tracer.seen.filter((s) => s.phase === 'asyncEnd').map((s) => s.event);
    expect(
      ended.map((e) => `${e.kind}:${'operation' in e ? e.operation : 'name' in e ? e.name : ''}`),
    ).toEqual([
      'cache:get', // the seed's pattern reads before it begins a transaction: a hit begins none
      // at the write, inside the save's transaction, and again once it committed, as its hook: in the
      // caller's context, outside the transaction that ended (both before save returns)
      'cache:evict',
      'cache:evict',
      'transaction:NoteRepo.save',
      'transaction:kosha.transaction',
    ]);
    expect(ended[0]).toMatchObject({ hit: true, parent: undefined });
    const save = ended[3];
    expect(save).toMatchObject({
      propagation: 'REQUIRED',
      readOnly: false,
      outcome: 'commit',
      nested: false,
    });
    expect(ended[1]).toMatchObject({ cache: 'note', outcome: 'ok', parent: save });
    expect(ended[2]).toMatchObject({ cache: 'note', outcome: 'ok', parent: undefined });
    expect(ended[4]).toMatchObject({ isolation: 'SERIALIZABLE', readOnly: true, outcome: 'commit' });
  });

  it('never publishes a key, a value or a result', async () => {
    tracer = subscribe();
    await repo.get(2);
    await repo.save(note(2, 'secret-text'));
    const text = JSON.stringify(tracer.seen.map((s) => ({ ...s.event, parent: undefined })));
    expect(text).not.toContain('secret-text');
    expect(text).not.toContain('note:2');
    expect(text).not.toContain('"result"');
  });

  it('publishes nothing while nobody subscribes, and a subscriber that joins late sees only what starts after', async () => {
    const late = tracingChannel<KoshaEvent>('kosha:transaction');
    const seen: KoshaEvent[] = [];
    const none = () => {};
    const handlers = {
      start: none,
      end: none,
      asyncStart: none,
      asyncEnd: (e: KoshaEvent) => seen.push(e),
      error: none,
    };
    await repo.save(note(1, 'before'));
    late.subscribe(handlers);
    try {
      await repo.save(note(1, 'after'));
    } finally {
      late.unsubscribe(handlers);
    }
    expect(seen).toHaveLength(1);
  });
});
