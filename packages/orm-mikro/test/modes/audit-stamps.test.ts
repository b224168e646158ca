import {
  column,
  createdAt,
  DbRepo,
  entity,
  id,
  type Kosha,
  OptionalProps,
  table,
  updatedAt,
} from '@kosha/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, openKosha } from '../support/databases.js';

// A new row's `@createdAt` and `@updatedAt` hold one instant, whichever way it is inserted (Spring Data's
// auditing sets both from one `now`). Two clock reads can be a millisecond apart; the clock below moves on
// at every read, so two reads always differ.

@entity
@table('stamp_notes')
class Note {
  declare [OptionalProps]?: 'createdAt' | 'updatedAt';
  @id() id!: number;
  @column({ type: 'string', unique: true }) code!: string;
  @createdAt() createdAt!: Date;
  @updatedAt() updatedAt!: Date;
}

@entity
@table('stamp_counts')
class Count {
  declare [OptionalProps]?: 'createdSec' | 'updatedMs';
  @id() id!: number;
  @column({ type: 'string' }) code!: string;
  @createdAt({ type: 'integer' }) createdSec!: number;
  @updatedAt({ type: 'bigint' }) updatedMs!: bigint;
}

class Notes extends DbRepo<Note> {}
class Counts extends DbRepo<Count> {}

const RealDate = globalThis.Date;
let restore: (() => void) | undefined;

/** Replaces `Date` with one whose clock moves on by 1 s at every read of the current time. */
function tickingClock(): void {
  let t = RealDate.now();
  class Ticking extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super((t += 1000));
      else super(...(args as [number]));
    }
    static override now(): number {
      t += 1000;
      return t;
    }
  }
  globalThis.Date = Ticking as DateConstructor;
  restore = () => {
    globalThis.Date = RealDate;
  };
}

afterEach(() => {
  restore?.();
  restore = undefined;
});

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`@createdAt and @updatedAt of a new row on ${db.name}`, () => {
    let env: Awaited<ReturnType<typeof openKosha>>;
    let kosha: Kosha;
    let notes: Notes;
    let counts: Counts;
    let n = 0;
    beforeAll(async () => {
      env = await openKosha(db, [Note, Count]);
      kosha = env.kosha;
      notes = new Notes(Note, kosha);
      counts = new Counts(Count, kosha);
    });
    afterAll(() => env?.close());

    const same = (e: Note) => expect(e.updatedAt.getTime()).toBe(e.createdAt.getTime());

    /** A new entity flushed by MikroORM's unit of work (what Kosha's own insert falls back to). */
    const persisted = <T extends object>(cls: new () => T, data: object): Promise<T> =>
      kosha.transaction(async () => {
        const em = notes.em;
        const e = em.create(cls, data as never, { persist: true });
        await em.flush();
        return e;
      });

    it("the unit of work's flush stamps both with one instant", async () => {
      tickingClock();
      const saved = await persisted(Note, { code: `uow-${++n}` });
      restore!();
      same(saved);
      same((await notes.getById(saved.id))!);
    });

    it('insertAll (the bulk insert) stamps both with one instant, each row its own', async () => {
      tickingClock();
      const rows = await notes.insertAll([{ code: `bulk-${++n}` }, { code: `bulk-${++n}` }]);
      restore!();
      for (const e of rows) same(e);
      for (const e of rows) same((await notes.getById(e.id))!);
    });

    it('upsert stamps both with one instant on the insert branch', async () => {
      tickingClock();
      const [e] = await notes.upsert([{ code: `upsert-${++n}` }], { onConflict: ['code'] });
      restore!();
      same(e!);
      same((await notes.getById(e!.id))!);
    });

    it('columns of different types hold the same instant', async () => {
      tickingClock();
      const [e] = await counts.insertAll([{ code: `types-${++n}` }]);
      const saved = await persisted(Count, { code: `types-${++n}` });
      restore!();
      for (const x of [e!, saved]) {
        expect(x.createdSec).toBe(Math.floor(Number(x.updatedMs) / 1000));
        const back = (await counts.getById(x.id))!;
        expect(back.createdSec).toBe(Math.floor(Number(back.updatedMs) / 1000));
      }
    });

    it('an update moves only @updatedAt', async () => {
      const [saved] = await notes.insertAll([{ code: `update-${++n}` }]);
      const created = saved!.createdAt.getTime();
      tickingClock();
      await kosha.transaction(async () => {
        const e = (await notes.getById(saved!.id))!;
        e.code = `${e.code}-changed`;
      });
      restore!();
      const back = (await notes.getById(saved!.id))!;
      expect(back.createdAt.getTime()).toBe(created);
      expect(back.updatedAt.getTime()).toBeGreaterThan(created);
    });
  });
}
