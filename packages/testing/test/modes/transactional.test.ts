import {
  afterCommit,
  column,
  createKosha,
  currentSession,
  DbRepo,
  entity,
  getKosha,
  IllegalTransactionStateError,
  id,
  type Kosha,
  type Logger,
  NoSessionError,
  repository,
  table,
  transactional,
  UnknownFieldError,
} from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

@entity
@table('tx_modes_note')
class Note {
  @id() id!: number;
  @column({ type: 'string', length: 100 }) text!: string;
}

@repository
class NoteRepo extends DbRepo<Note> {
  constructor() {
    super(Note);
  }

  @transactional
  async add(text: string) {
    return (await this.insertAll([{ text }]))[0]!;
  }

  @transactional({ readOnly: true })
  async texts() {
    return (await this.getAll(0, 1000)).map((n) => n.text);
  }

  @transactional({ readOnly: true })
  async sneakyWrite() {
    return this.insertAll([{ text: 'never' }]);
  }
}

class NoteService {
  readonly notes = new NoteRepo();
  readonly log: string[] = [];

  @transactional
  async addTwoThenFail(a: string, b: string) {
    await this.notes.add(a);
    await this.notes.add(b);
    throw new Error('failed after two writes');
  }

  @transactional({ propagation: 'NESTED' })
  async tryNested(text: string, fail: boolean) {
    await this.notes.add(text);
    if (fail) throw new Error('nested failure');
  }

  @transactional
  async outerWithNested() {
    await this.notes.add('outer');
    await this.tryNested('nested-ok', false);
    await this.tryNested('nested-bad', true).catch(() => {});
    afterCommit(() => this.log.push('committed'));
  }

  @transactional
  async sameSessionThroughout() {
    const s = currentSession();
    await this.notes.add('same-session');
    return s === currentSession();
  }
}

const warnings: string[] = [];
const logger: Logger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} };
let kosha: Kosha;

beforeAll(async () => {
  kosha = await createKosha({
    orm: mikroOrm({ url: 'sqlite::memory:' }),
    entities: [Note],
    cache: false,
    logger,
  });
  await kosha.schema.create();
});
afterAll(() => kosha.close());

describe('@transactional', () => {
  it('becomes the default instance and commits a decorated method', async () => {
    expect(getKosha()).toBe(kosha);
    const svc = new NoteService();
    const n = await svc.notes.add('hello');
    expect(n.id).toBeGreaterThan(0);
    expect(await svc.notes.texts()).toContain('hello');
  });

  it('rolls back every write of a method that throws', async () => {
    const svc = new NoteService();
    await expect(svc.addTwoThenFail('gone-1', 'gone-2')).rejects.toThrow('failed after two writes');
    const texts = await svc.notes.texts();
    expect(texts).not.toContain('gone-1');
    expect(texts).not.toContain('gone-2');
  });

  it('NESTED rolls back alone; afterCommit runs once the outer commits', async () => {
    const svc = new NoteService();
    await svc.outerWithNested();
    const texts = await svc.notes.texts();
    expect(texts).toEqual(expect.arrayContaining(['outer', 'nested-ok']));
    expect(texts).not.toContain('nested-bad');
    expect(svc.log).toEqual(['committed']);
  });

  it('keeps one session across the awaits of a method', async () => {
    expect(await new NoteService().sameSessionThroughout()).toBe(true);
  });

  it('refuses a write in a read-only method', async () => {
    await expect(new NoteRepo().sneakyWrite()).rejects.toBeInstanceOf(IllegalTransactionStateError);
  });

  it('warns once per method that runs detached (the background path)', async () => {
    // Earlier tests already ran NoteRepo.add detached; the warning still appears exactly once.
    const repo = new NoteRepo();
    await repo.add('bg-1');
    await repo.add('bg-2');
    const mine = warnings.filter((w) => w.includes('NoteRepo.add'));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatch(/no session in context/);
  });

  it('types the field of findByField as the entity fields, and checks it at run time too', async () => {
    // @ts-expect-error 'txt' is not a field of Note
    await expect(new NoteRepo().findByField('txt', 'x')).rejects.toBeInstanceOf(UnknownFieldError);
    // @ts-expect-error a method is not a field either
    await expect(new NoteRepo().findAllByField('toString', 'x')).rejects.toBeInstanceOf(UnknownFieldError);
  });

  it('has no session outside a transaction', () => {
    expect(() => currentSession()).toThrow(NoSessionError);
  });

  it('keeps the this of the instance and passes the arguments through', async () => {
    class Calculator {
      factor = 3;
      @transactional
      async times(n: number, m: number) {
        return n * m * this.factor;
      }
    }
    expect(await new Calculator().times(2, 5)).toBe(30);
  });

  it('uses the instance bound with kosha.run over the default', async () => {
    const other = await createKosha({
      orm: mikroOrm({ url: 'sqlite::memory:' }),
      entities: [Note],
      cache: false,
      setDefault: false,
      logger,
    });
    await other.schema.create();
    try {
      await other.run(() => new NoteRepo().add('only-in-other'));
      expect(await other.run(() => new NoteRepo().texts())).toEqual(['only-in-other']);
      expect(await new NoteRepo().texts()).not.toContain('only-in-other');
    } finally {
      await other.close();
    }
  });
});
