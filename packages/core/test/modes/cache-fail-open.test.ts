import {
  bindKosha,
  cacheable,
  cacheEvict,
  column,
  DbRepo,
  entity,
  id,
  type Kosha,
  repository,
  transactional,
} from '@kosha/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { FakeBackend } from '../cache/fake-backend.js';
import { ControlledProvider, capturingLogger, testKosha, tick } from '../cache/harness.js';

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
}

const note = (i: number, text: string) => Object.assign(new Note(), { id: i, text });
const POLICY = { commandTimeout: 50, failureThreshold: 3, coolDown: 200 };

let kosha: Kosha;
let db: FakeBackend;
let repo: NoteRepo;
let cache: ControlledProvider;
let logger: ReturnType<typeof capturingLogger>;

beforeEach(async () => {
  cache = new ControlledProvider(POLICY);
  logger = capturingLogger();
  ({ kosha, db } = await testKosha([Note], cache, logger));
  repo = new NoteRepo(kosha);
  await repo.insertAll([note(1, 'one'), note(2, 'two')]);
});

describe('the cache fails open', () => {
  it('when the store refuses every call: reads come from the database, writes commit, logs are rate-limited', async () => {
    cache.mode = 'fail';
    for (let i = 0; i < 20; i++) expect((await repo.get(1))?.text).toBe('one');
    await repo.save(note(1, 'uno'));
    expect((await repo.get(1))?.text).toBe('uno');
    expect(db.committed.get('Note')!.get(1)!.text).toBe('uno');
    const cacheLines = logger.lines.filter((l) => l.includes('cache controlled'));
    expect(cacheLines.length).toBeGreaterThan(0);
    expect(cacheLines.length).toBeLessThanOrEqual(4);
    expect(logger.lines.some((l) => l.includes('skipping it for 200 ms'))).toBe(true);
  });

  it('when the store never answers: each call is bounded by the command timeout', async () => {
    cache.mode = 'hang';
    const started = Date.now();
    expect((await repo.get(1))?.text).toBe('one');
    const first = Date.now() - started;
    expect(first).toBeGreaterThanOrEqual(45);
    expect(first).toBeLessThan(1000);
  });

  it('opens the circuit after repeated failures and stops calling the store for the cool-down', async () => {
    cache.mode = 'hang';
    for (let i = 0; i < 3; i++) await repo.get(1);
    const calls = cache.total;
    const started = Date.now();
    for (let i = 0; i < 50; i++) await repo.get(1);
    expect(cache.total).toBe(calls);
    expect(Date.now() - started).toBeLessThan(200);
  });

  it('uses the store again once it is back, without a restart', async () => {
    cache.mode = 'fail';
    for (let i = 0; i < 3; i++) await repo.get(1);
    cache.mode = 'up';
    await tick(POLICY.coolDown + 20);
    const gets = cache.calls.get;
    await repo.get(1); // starts the probe: this call's read still skips the store, its write-back does not
    expect(cache.calls.get).toBe(gets);
    await tick(10);
    expect(cache.calls.ping).toBe(1);
    db.reads = 0;
    await repo.get(1);
    await repo.get(1);
    expect(cache.calls.get).toBe(gets + 2);
    expect(db.reads).toBe(0);
    expect(logger.lines.some((l) => l.includes('answers again'))).toBe(true);
  });

  it('replays the evictions it could not deliver before serving reads from the store again', async () => {
    await repo.get(1);
    cache.mode = 'fail';
    await repo.save(note(1, 'changed'));
    for (let i = 0; i < 3; i++) await repo.get(2);
    cache.mode = 'up';
    expect(await cache.inner.get('note:1')).toBeDefined();
    await tick(POLICY.coolDown + 20);
    await repo.get(2);
    await tick(10);
    expect(await cache.inner.get('note:1')).toBeUndefined();
    expect((await repo.get(1))?.text).toBe('changed');
  });

  it('replays an eviction that failed alone once a later call succeeds', async () => {
    await repo.get(1);
    cache.mode = 'fail';
    await repo.save(note(1, 'again'));
    cache.mode = 'up';
    await repo.get(2);
    await tick(10);
    expect((await repo.get(1))?.text).toBe('again');
  });

  it('treats a corrupt or foreign entry as a miss, logs it and replaces it', async () => {
    await cache.inner.set('note:1', '{"pickle": true', 60);
    expect((await repo.get(1))?.text).toBe('one');
    expect(logger.lines.some((l) => l.includes('note:1 was not readable'))).toBe(true);
    await tick();
    expect(await cache.inner.get('note:1')).toMatch(/^k1:/);
  });

  it('returns a result it cannot encode, without caching it', async () => {
    class Odd {
      n = 1;
    }
    let calls = 0;
    class Service {
      @cacheable({ keyPrefix: 'odd' })
      async get(_n: number) {
        calls++;
        return new Odd();
      }
    }
    const s = bindKosha(new Service(), kosha);
    expect(await s.get(1)).toBeInstanceOf(Odd);
    expect(await s.get(1)).toBeInstanceOf(Odd);
    expect(calls).toBe(2);
    expect(logger.lines.some((l) => l.includes('not caching odd:1'))).toBe(true);
  });
});
