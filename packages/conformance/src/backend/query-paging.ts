import assert from 'node:assert/strict';
import {
  encodeCursor,
  InvalidArgumentError,
  metadataOf,
  type OrderBy,
  type OrderNode,
  type Slice,
} from '@kosha/core';
import { rejectionOf, type SuiteRunner } from '../suite-runner.js';
import { QAuthor, QItem, QItemRepo } from './entities.js';
import type { SuiteContext } from './suite-context.js';

const NAMES = ['b', 'B', 'a', 'A', 'a ', 'é', 'z'];
const RANKS = [null, 1, 2, 2, 3];
const DUES = [null, new Date(Date.UTC(2026, 1, 1)), new Date(Date.UTC(2026, 1, 2, 0, 0, 0, 5))];

/** The sorts the walks try: duplicates in every key, NULLs in some, both directions. */
const SORTS: readonly OrderBy<QItem>[] = [
  {},
  { rank: 'asc' },
  { rank: 'desc' },
  { rank: 'asc', name: 'desc' },
  { name: 'asc' },
  { due: 'desc', rank: 'asc' },
  { name: 'desc', due: 'asc', rank: 'desc' },
];

/** `findPage` and `findSlice`: walks over every page and slice, and the checks of their input. */
export function pagingTests(t: SuiteRunner, ctx: () => SuiteContext): void {
  let items: QItemRepo | undefined;
  let run = '';
  const repo = () => items!;
  t.beforeAll(async () => {
    items = new QItemRepo(ctx().kosha);
    run = ctx().label('paging');
    await items.insertAll(
      Array.from({ length: 37 }, (_, i) => ({
        run,
        rank: RANKS[i % RANKS.length]!,
        name: NAMES[(i * 3) % NAMES.length]!,
        due: DUES[(i * 7) % DUES.length]!,
      })),
    );
  });

  /** The ids in the order the database sorts them, the primary key breaking ties: what a walk must return. */
  const ordered = async (sort: OrderBy<QItem>) =>
    (await repo().find({ where: { run }, orderBy: [sort, { id: 'asc' }] })).map((r) => r.id);

  for (const sort of SORTS) {
    t.test(`findSlice walks every row once, in order: sort ${JSON.stringify(sort)}`, async () => {
      const expected = await ordered(sort);
      const seen: number[] = [];
      let slice: Slice<QItem> = await repo().findSlice({ size: 5, sort }, { run });
      for (let n = 0; ; n++) {
        assert.ok(n < 20, 'the walk ends');
        seen.push(...slice.items.map((r) => r.id));
        if (!slice.next) break;
        assert.equal(slice.items.length, 5);
        slice = await repo().findSlice({ size: 5, sort, after: slice.next }, { run });
      }
      assert.deepEqual(seen, expected);
    });

    t.test(
      `findPage walks every row once, in order, with the total: sort ${JSON.stringify(sort)}`,
      async () => {
        const expected = await ordered(sort);
        const seen: number[] = [];
        for (let page = 0; ; page++) {
          const p = await repo().findPage({ page, size: 6, sort }, { run });
          assert.equal(p.total, 37);
          assert.equal(p.totalPages, 7);
          assert.equal(p.page, page);
          assert.equal(p.size, 6);
          assert.equal(p.hasNext, page < 6);
          seen.push(...p.items.map((r) => r.id));
          if (!p.hasNext) break;
        }
        assert.deepEqual(seen, expected);
      },
    );
  }

  t.test('findPage past the last page is empty and still counts', async () => {
    const p = await repo().findPage({ page: 50, size: 10 }, { run });
    assert.deepEqual(p.items, []);
    assert.equal(p.total, 37);
    assert.equal(p.hasNext, false);
    const none = await repo().findPage({ page: 0, size: 10 }, { run: `${run}-none` });
    assert.deepEqual([none.total, none.totalPages, none.hasNext], [0, 0, false]);
  });

  t.test(
    'a cursor that was changed, or made for another sort or entity, is refused before any SQL',
    async () => {
      const first = await repo().findSlice({ size: 3, sort: { rank: 'asc' } }, { run });
      const next = first.next!;
      const before = ctx().sessionsOpened();
      const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
      const keys: OrderNode[] = [
        { path: ['rank'], direction: 'asc', type: 'integer' },
        { path: ['id'], direction: 'asc', type: 'integer' },
      ];
      const bad: unknown[] = [
        flip(next, 2),
        flip(next, next.length - 1),
        next.slice(0, -1),
        `${next}x`,
        'garbage',
        '',
        '.',
        42,
        { rank: 1 },
        encodeCursor(metadataOf(QItem), keys, ['1; drop table x', 1]),
        encodeCursor(metadataOf(QItem), keys, [1, null]),
        encodeCursor(metadataOf(QItem), keys, [1]),
      ];
      for (const after of bad) {
        const error = await rejectionOf(
          Promise.resolve().then(() =>
            repo().findSlice({ size: 3, sort: { rank: 'asc' }, after: after as string }, { run }),
          ),
        );
        assert.ok(error instanceof InvalidArgumentError, `${JSON.stringify(after)}: ${String(error)}`);
      }
      const otherSort = await rejectionOf(
        Promise.resolve().then(() =>
          repo().findSlice({ size: 3, sort: { rank: 'desc' }, after: next }, { run }),
        ),
      );
      assert.ok(otherSort instanceof InvalidArgumentError);
      const otherEntity = await rejectionOf(
        Promise.resolve().then(() =>
          repo().findSlice({
            size: 3,
            sort: { rank: 'asc' },
            after: encodeCursor(metadataOf(QAuthor), keys, [1, 1]),
          }),
        ),
      );
      assert.ok(otherEntity instanceof InvalidArgumentError);
      assert.equal(ctx().sessionsOpened(), before, 'no session was opened');
    },
  );

  t.test('paging input is checked: page and size are whole numbers in range', async () => {
    const bad = [
      () => repo().findPage({ page: -1, size: 5 }),
      () => repo().findPage({ page: 0, size: 0 }),
      () => repo().findPage({ page: 0, size: 1001 }),
      () => repo().findPage({ page: 1.5, size: 5 }),
      () => repo().findPage({ page: Number.NaN, size: 5 }),
      () => repo().findPage({ page: '1' as never, size: 5 }),
      () => repo().findSlice({ size: -3 }),
      () => repo().findSlice({ size: Number.POSITIVE_INFINITY }),
      () => repo().findPage(null as never),
    ];
    for (const call of bad) {
      const error = await rejectionOf(Promise.resolve().then(call as () => Promise<unknown>));
      assert.ok(error instanceof InvalidArgumentError, `${String(call)}: ${String(error)}`);
    }
  });
}
