import assert from 'node:assert/strict';
import { InvalidArgumentError } from '@kosha/core';
import { rejectionOf, type SuiteRunner } from '../suite-runner.js';
import type { SuiteContext } from './suite-context.js';
import { WCounterRepo, WDocRepo, WNoteRepo } from './write-entities.js';

/** Soft delete (`@deletedAt`): every finder leaves deleted rows out unless `withDeleted`; restore. */
export function softDeleteTests(t: SuiteRunner, ctx: () => SuiteContext): void {
  const repo = () => new WDocRepo(ctx().kosha);

  /** Three documents of a fresh label, the first one soft-deleted. */
  async function fixture() {
    const docs = repo();
    const label = ctx().label('sd');
    const made = await docs.insertAll([
      { title: `${label}-a`, label },
      { title: `${label}-b`, label },
      { title: `${label}-c`, label },
    ]);
    assert.equal(await docs.delete(made[0]!.id), true);
    return { docs, label, made, gone: made[0]!.id };
  }

  t.test('delete sets @deletedAt and keeps the row; a second delete finds nothing to delete', async () => {
    const { docs, gone } = await fixture();
    assert.equal(await docs.delete(gone), false);
    assert.equal(await docs.getById(gone), null);
    const kept = await docs.getById(gone, { withDeleted: true });
    assert.ok(kept?.deletedAt instanceof Date);
  });

  t.test('every finder leaves soft-deleted rows out', async () => {
    const { docs, label, made, gone } = await fixture();
    const ids = (rows: { id: number }[]) => rows.map((r) => r.id).sort((a, b) => a - b);
    const alive = [made[1]!.id, made[2]!.id];
    assert.ok(!(await docs.getAll(0, 100_000)).some((d) => d.id === gone));
    assert.equal(await docs.findByField('title', `${label}-a`), null);
    assert.deepEqual(ids(await docs.findAllByField('label', label)), alive);
    assert.deepEqual(ids(await docs.find({ where: { label } })), alive);
    assert.equal(await docs.findOne({ title: `${label}-a` }), null);
    assert.equal(await docs.count({ label }), 2);
    assert.equal(await docs.exists(gone), false);
    assert.equal(await docs.exists({ title: `${label}-a` }), false);
    const page = await docs.findPage({ page: 0, size: 10 }, { label });
    assert.deepEqual([ids(page.items), page.total], [alive, 2]);
    assert.deepEqual(ids((await docs.findSlice({ size: 10 }, { label })).items), alive);
    assert.deepEqual(ids(await docs.findByLabel(label)), alive);
    assert.equal(await docs.countByLabel(label), 2);
  });

  t.test('withDeleted reads soft-deleted rows too', async () => {
    const { docs, label, made, gone } = await fixture();
    const all = made.map((d) => d.id);
    const ids = (rows: { id: number }[]) => rows.map((r) => r.id).sort((a, b) => a - b);
    assert.deepEqual(ids(await docs.find({ where: { label }, withDeleted: true })), all);
    assert.equal((await docs.findOne({ title: `${label}-a` }, { withDeleted: true }))?.id, gone);
    assert.equal(await docs.count({ label }, { withDeleted: true }), 3);
    assert.equal(await docs.exists(gone, { withDeleted: true }), true);
    assert.equal((await docs.findPage({ page: 0, size: 10 }, { label }, { withDeleted: true })).total, 3);
    assert.deepEqual(ids((await docs.findSlice({ size: 10 }, { label }, { withDeleted: true })).items), all);
  });

  t.test('restore brings a soft-deleted row back', async () => {
    const { docs, gone } = await fixture();
    assert.equal(await docs.restore(gone), true);
    assert.equal(await docs.restore(gone), false, 'not deleted any more');
    assert.equal((await docs.getById(gone))?.deletedAt, null);
  });

  t.test('deleteEntity, deleteWhere and derived deleteBy soft-delete too', async () => {
    const { docs, label, made } = await fixture();
    await docs.deleteEntity(made[1]!);
    assert.equal(await docs.deleteByTitle(`${label}-c`), 1);
    assert.equal(await docs.count({ label }), 0);
    assert.equal(await docs.count({ label }, { withDeleted: true }), 3);
    assert.equal(await docs.restore(made[1]!.id), true);
    assert.equal(await docs.deleteWhere({ label }), 1);
    assert.equal(await docs.count({ label }, { withDeleted: true }), 3);
  });

  t.test("a deleted entity leaves the transaction's session at once", async () => {
    const docs = repo();
    const label = ctx().label('sdtx');
    const [doc] = await docs.insertAll([{ title: label, label }]);
    await ctx().kosha.transaction(async () => {
      assert.ok(await docs.getById(doc!.id));
      await docs.delete(doc!.id);
      assert.equal(await docs.getById(doc!.id), null);
      assert.equal((await docs.getById(doc!.id, { withDeleted: true }))?.id, doc!.id);
      assert.equal(await docs.getById(doc!.id), null, 'not from the identity map either');
    });
  });

  t.test('rows pointing at a soft-deleted row stay, and the relation still loads it', async () => {
    const { docs, label, made, gone } = await fixture();
    const notes = new WNoteRepo(ctx().kosha);
    await notes.insertAll([
      { body: label, doc: made[0]! },
      { body: label, doc: made[1]! },
    ]);
    assert.equal(await notes.count({ body: label }), 2);
    const loaded = await notes.find({ where: { body: label }, populate: ['doc'], orderBy: { id: 'asc' } });
    assert.deepEqual(
      loaded.map((n) => [n.doc.id, n.doc.deletedAt instanceof Date]),
      [
        [gone, true],
        [made[1]!.id, false],
      ],
    );
    assert.equal(await docs.getById(gone), null, 'the document itself stays out of its own queries');
  });

  t.test('restore of an entity without @deletedAt is refused', async () => {
    const counters = new WCounterRepo(ctx().kosha);
    assert.ok((await rejectionOf(counters.restore(1))) instanceof InvalidArgumentError);
  });
}
