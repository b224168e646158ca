import type { Kosha } from '@kosha/core';
import { raw, wrap } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, openKosha } from '../support/databases.js';
import { bulk, Crate, Crates, Item, Items, Tag, Wide, watchInserts } from './support.js';

// insertAll's bulk insert (src/bulk-insert/): what the recipe leaves to the unit of work (cascades, raw values, pending writes), and what it keeps.

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`insertAll's bulk insert on ${db.name}: what needs the unit of work`, () => {
    let env: Awaited<ReturnType<typeof openKosha>>;
    let kosha: Kosha;
    let items: Items;
    let crates: Crates;
    beforeAll(async () => {
      env = await openKosha(db, [Crate, Item, Tag, Wide], { debug: true });
      kosha = env.kosha;
      items = new Items(Item, kosha);
      crates = new Crates(Crate, kosha);
    });
    afterAll(() => env?.close());

    const labelled = async (label: string) => (await items.findAllByField('label', label)).length;

    it('the same instance twice is inserted once', async () => {
      const twice = Object.assign(new Item(), { label: 'twice' });
      const saved = await items.insertAll([twice, { label: 'between' }, twice]);
      expect(saved[0]).toBe(twice);
      expect(saved[2]).toBe(twice);
      expect(await labelled('twice')).toBe(1);
    });

    it('a to-one to a managed entity is bulk inserted; its collection is not left dirty', async () => {
      await kosha.transaction(async () => {
        const [crate] = await crates.insertAll([{ label: 'holder' }]);
        await crate!.items.init();
        const sent = watchInserts(items.em);
        const saved = await items.insertAll([
          { label: 'held-1', crate: crate! },
          { label: 'held-2', crate: crate! },
        ]);
        expect(sent.length).toBe(1);
        expect(bulk(sent[0]!)).toBe(true);
        expect(crate!.items.getItems()).toEqual(saved);
        expect(crate!.items.isDirty()).toBe(false);
      });
      const [crate] = await crates.findAllByField('label', 'holder');
      const held = await items.findAllByField('crate', crate!);
      expect(held.map((i) => i.label)).toEqual(['held-1', 'held-2']);
    });

    it('what needs a cascade goes through the unit of work, from the first row that needs it on', async () => {
      const saved = await kosha.transaction(async () => {
        const sent = watchInserts(items.em);
        const fresh = Object.assign(new Crate(), { label: 'cascaded' });
        const out = await items.insertAll([
          { label: 'mixed-0' },
          { label: 'mixed-1' },
          { label: 'mixed-2', crate: fresh },
          { label: 'mixed-3' },
        ]);
        // The first two in one bulk statement; the rest, and the new crate, by the unit of work.
        expect(bulk(sent[0]!)).toBe(true);
        expect(sent.slice(1).some(bulk)).toBe(false);
        expect(typeof fresh.id).toBe('number');
        for (const e of out) expect(wrap(e, true).__managed).toBe(true);
        return out;
      });
      expect(saved.map((e) => e.label)).toEqual(['mixed-0', 'mixed-1', 'mixed-2', 'mixed-3']);
      for (let i = 1; i < saved.length; i++) expect(saved[i]!.id).toBeGreaterThan(saved[i - 1]!.id);
      const [crate] = await crates.findAllByField('label', 'cascaded');
      expect((await items.findAllByField('crate', crate!)).map((i) => i.label)).toEqual(['mixed-2']);
    });

    it('a new parent with items in its collection is inserted with them (unit of work)', async () => {
      await kosha.transaction(async () => {
        const crate = Object.assign(new Crate(), { label: 'with-items' });
        const [saved] = await crates.insertAll([crate]);
        crate.items.add(Object.assign(new Item(), { label: 'in-collection' }));
        await items.em.flush();
        expect(saved).toBe(crate);
      });
      expect(await labelled('in-collection')).toBe(1);
      await kosha.transaction(async () => {
        const item = Object.assign(new Item(), { label: 'added-before' });
        const crate = crates.em.create(Crate, { label: 'pre-filled', items: [item] } as never);
        const sent = watchInserts(crates.em);
        await crates.insertAll([crate]);
        expect(sent.some(bulk)).toBe(false);
        expect(typeof item.id).toBe('number');
      });
      expect(await labelled('added-before')).toBe(1);
    });

    it('a raw SQL value goes through the unit of work', async () => {
      await kosha.transaction(async () => {
        const sent = watchInserts(items.em);
        const [e] = await items.insertAll([{ label: 'raw', note: raw(`'from sql'`) as never }]);
        expect(sent.some(bulk)).toBe(false);
        expect(typeof e!.id).toBe('number');
      });
      expect((await items.findAllByField('label', 'raw'))[0]!.note).toBe('from sql');
    });

    it('writes what the unit of work had pending before the rows', async () => {
      await kosha.transaction(async () => {
        const [crate] = await crates.insertAll([{ label: 'pending-before' }]);
        crate!.label = 'pending-renamed';
        const extra = Object.assign(new Crate(), { label: 'pending-persisted' });
        crates.em.persist(extra);
        const sent = watchInserts(items.em);
        await items.insertAll([{ label: 'after-pending', crate: crate! }]);
        expect(sent.length).toBe(2);
        expect(bulk(sent[0]!)).toBe(false);
        expect(bulk(sent[1]!)).toBe(true);
      });
      expect((await crates.findAllByField('label', 'pending-renamed')).length).toBe(1);
      expect((await crates.findAllByField('label', 'pending-persisted')).length).toBe(1);
    });
  });
}

describe.skipIf(!DATABASES[0]!.available)('insertAll with an event subscriber', () => {
  it('someone listening to create events gets the unit of work, and the events', async () => {
    const env = await openKosha(DATABASES[0]!, [Crate, Item, Tag, Wide]);
    try {
      const items = new Items(Item, env.kosha);
      const created: unknown[] = [];
      await env.kosha.transaction(async () => {
        items.em
          .getEventManager()
          .registerSubscriber({ afterCreate: (args) => void created.push(args.entity) });
        const saved = await items.insertAll([{ label: 'heard' }]);
        expect(created).toEqual(saved);
      });
    } finally {
      await env.close();
    }
  });
});
