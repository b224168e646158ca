import assert from 'node:assert/strict';
import { IllegalTransactionStateError, InvalidArgumentError, type Page } from '@kosha/core';
import { rejectionOf, type SuiteRunner } from '../suite-runner.js';
import { type DMember, DMemberRepo, type DTeam, DTeamRepo } from './derived-entities.js';
import type { SuiteContext } from './suite-context.js';

/** A member of the fixture; `team` is an index into the teams, or null. */
interface MemberRow extends Omit<DMember, 'id' | 'team'> {
  team: number | null;
}

const day = (d: number) => new Date(Date.UTC(2026, 1, d, 9, 30));

// ASCII text, mixed case, LIKE characters in the data, NULLs, ties on the order keys.
const MEMBERS: readonly MemberRow[] = [
  {
    email: 'ada@x.io',
    name: 'Ada',
    status: 'active',
    age: 36,
    active: true,
    joinedAt: day(1),
    orderNumber: 'A-1',
    isNullable: false,
    notes: null,
    team: 0,
  },
  {
    email: 'ADA@X.IO',
    name: 'ada',
    status: 'blocked',
    age: null,
    active: false,
    joinedAt: day(2),
    orderNumber: 'A-2',
    isNullable: true,
    notes: 'vip',
    team: 1,
  },
  {
    email: 'linus@x.io',
    name: 'Linus',
    status: 'active',
    age: 18,
    active: true,
    joinedAt: day(3),
    orderNumber: 'B-1',
    isNullable: true,
    notes: '50%_off',
    team: null,
  },
  {
    email: 'grace@y.io',
    name: 'Grace',
    status: 'active',
    age: 70,
    active: false,
    joinedAt: day(4),
    orderNumber: 'B-2',
    isNullable: false,
    notes: 'Vip',
    team: 0,
  },
  {
    email: 'alan@y.io',
    name: 'Alan',
    status: 'blocked',
    age: 41,
    active: true,
    joinedAt: day(5),
    orderNumber: 'C-1',
    isNullable: false,
    notes: '50 off',
    team: 1,
  },
  {
    email: 'barbara@x.io',
    name: 'Barbara',
    status: 'active',
    age: 18,
    active: true,
    joinedAt: day(6),
    orderNumber: 'C-2',
    isNullable: true,
    notes: null,
    team: null,
  },
];

const lower = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

interface Fixture {
  members: DMemberRepo;
  teams: DTeam[];
  ids: number[];
}

/** Derived query methods (`this.derive('findByStatusOrderByAgeDesc')`) against the same rows on every backend. */
export function derivedTests(t: SuiteRunner, ctx: () => SuiteContext): void {
  let fixture: Fixture | undefined;
  const f = () => {
    if (!fixture) throw new Error('the derived query fixture was not inserted (see the beforeAll error)');
    return fixture;
  };
  t.beforeAll(async () => {
    const { kosha } = ctx();
    const teams = await new DTeamRepo(kosha).insertAll([{ name: 'red' }, { name: 'blue' }]);
    const members = new DMemberRepo(kosha);
    const saved = await members.insertAll(
      MEMBERS.map((m) => ({ ...m, team: m.team === null ? null : teams[m.team]! })),
    );
    fixture = { members, teams, ids: saved.map((m) => m.id) };
  });

  /** The fixture's ids whose rows pass `test`, in fixture order. */
  const where = (test: (m: MemberRow) => boolean) => f().ids.filter((_, i) => test(MEMBERS[i]!));
  const ids = (rows: readonly { id: number }[]) => rows.map((r) => r.id);
  const sorted = (rows: readonly { id: number }[]) => ids(rows).sort((a, b) => a - b);

  t.test('each keyword returns the rows its condition holds for (NULL matches no comparison)', async () => {
    const { members: m, teams } = f();
    const cases: [string, Promise<DMember[]>, (r: MemberRow) => boolean][] = [
      ['findByEmail', m.findByEmail('ada@x.io'), (r) => r.email === 'ada@x.io'],
      ['findByEmailIgnoreCase', m.findByEmailIgnoreCase('Ada@X.io'), (r) => lower(r.email) === 'ada@x.io'],
      [
        'findByEmailNotIgnoreCase',
        m.findByEmailNotIgnoreCase('ADA@x.io'),
        (r) => lower(r.email) !== 'ada@x.io',
      ],
      ['findByNameNot', m.findByNameNot('Ada'), (r) => r.name !== 'Ada'],
      ['findByAgeLessThan', m.findByAgeLessThan(36), (r) => r.age !== null && r.age < 36],
      ['findByAgeLessThanEqual', m.findByAgeLessThanEqual(36), (r) => r.age !== null && r.age <= 36],
      ['findByAgeGreaterThan', m.findByAgeGreaterThan(36), (r) => r.age !== null && r.age > 36],
      ['findByAgeGreaterThanEqual', m.findByAgeGreaterThanEqual(36), (r) => r.age !== null && r.age >= 36],
      [
        'findByJoinedAtBetween',
        m.findByJoinedAtBetween(day(2), day(4)),
        (r) => r.joinedAt >= day(2) && r.joinedAt <= day(4),
      ],
      ['findByAgeIn', m.findByAgeIn([18, 70]), (r) => r.age === 18 || r.age === 70],
      ['findByAgeNotIn', m.findByAgeNotIn([18, 70]), (r) => r.age !== null && r.age !== 18 && r.age !== 70],
      ['findByNameLike', m.findByNameLike('A%'), (r) => r.name.startsWith('A')],
      ['findByNameNotLike', m.findByNameNotLike('A%'), (r) => !r.name.startsWith('A')],
      ['findByNameLikeIgnoreCase', m.findByNameLikeIgnoreCase('a%'), (r) => lower(r.name).startsWith('a')],
      [
        'findByNotesStartingWith',
        m.findByNotesStartingWith('50%'),
        (r) => r.notes?.startsWith('50%') === true,
      ],
      [
        'findByNotesStartingWithIgnoreCase',
        m.findByNotesStartingWithIgnoreCase('VI'),
        (r) => r.notes !== null && lower(r.notes).startsWith('vi'),
      ],
      ['findByEmailEndingWith', m.findByEmailEndingWith('@y.io'), (r) => r.email.endsWith('@y.io')],
      [
        'findByNameContainingIgnoreCase',
        m.findByNameContainingIgnoreCase('A'),
        (r) => lower(r.name).includes('a'),
      ],
      [
        'findByNotesNotContaining',
        m.findByNotesNotContaining('_'),
        (r) => r.notes !== null && !r.notes.includes('_'),
      ],
      ['findByAgeIsNull', m.findByAgeIsNull(), (r) => r.age === null],
      ['findByAgeIsNotNull', m.findByAgeIsNotNull(), (r) => r.age !== null],
      ['findByActiveTrue', m.findByActiveTrue(), (r) => r.active],
      ['findByActiveFalse', m.findByActiveFalse(), (r) => !r.active],
      ['findByStatus', m.findByStatus('blocked'), (r) => r.status === 'blocked'],
      ['findByTeam (entity)', m.findByTeam(teams[0]!), (r) => r.team === 0],
      ['findByTeam (key)', m.findByTeam(teams[1]!.id), (r) => r.team === 1],
      ['findByTeam (null)', m.findByTeam(null), (r) => r.team === null],
      ['findByTeamNot', m.findByTeamNot(teams[0]!), (r) => r.team !== null && r.team !== 0],
      ['findByTeamIn', m.findByTeamIn([teams[0]!, teams[1]!.id]), (r) => r.team !== null],
      ['findByTeamIsNull', m.findByTeamIsNull(), (r) => r.team === null],
      ['findByOrderNumber', m.findByOrderNumber('B-2'), (r) => r.orderNumber === 'B-2'],
      ['findByIsNullableTrue', m.findByIsNullableTrue(), (r) => r.isNullable],
      [
        'findByStatusOrOrderNumber',
        m.findByStatusOrOrderNumber('blocked', 'B-1'),
        (r) => r.status === 'blocked' || r.orderNumber === 'B-1',
      ],
    ];
    for (const [name, rows, test] of cases) {
      assert.deepEqual(sorted(await rows), where(test), name);
    }
  });

  t.test('And binds tighter than Or', async () => {
    const rows = await f().members.findByStatusOrAgeGreaterThanAndActiveTrue('blocked', 30);
    assert.deepEqual(
      sorted(rows),
      where((r) => r.status === 'blocked' || (r.age !== null && r.age > 30 && r.active)),
    );
  });

  t.test('OrderBy sorts by its keys in turn; options append theirs, limit and offset page', async () => {
    const { members: m } = f();
    const byAge = (await m.findByStatusOrderByAgeDescNameAsc('active')).map((r) => r.name);
    assert.deepEqual(byAge, ['Grace', 'Ada', 'Barbara', 'Linus']);
    const appended = await m.findByStatusOrderByAgeDescNameAsc('active', {
      orderBy: { id: 'desc' },
      limit: 2,
      offset: 1,
    });
    assert.deepEqual(
      appended.map((r) => r.name),
      ['Ada', 'Barbara'],
    );
    const own = await m.findByStatus('active', { orderBy: { joinedAt: 'desc' }, limit: 3 });
    assert.deepEqual(
      own.map((r) => r.name),
      ['Barbara', 'Grace', 'Linus'],
    );
    assert.deepEqual(ids(await m.findByOrderByJoinedAtAsc()), f().ids);
  });

  t.test(
    'findTop<N>By returns at most N rows; a smaller limit is taken, a larger one cannot raise N',
    async () => {
      const { members: m } = f();
      assert.deepEqual(
        (await m.findTop2ByStatusOrderByJoinedAtDesc('active')).map((r) => r.name),
        ['Barbara', 'Grace'],
      );
      assert.equal((await m.findTop2ByStatusOrderByJoinedAtDesc('active', { limit: 1 })).length, 1);
      assert.equal((await m.findTop2ByStatusOrderByJoinedAtDesc('active', { limit: 10 })).length, 2);
    },
  );

  t.test('findFirstBy and findOneBy return one row or null', async () => {
    const { members: m } = f();
    // Linus and Barbara are both 18: the primary key breaks the tie.
    assert.equal((await m.findFirstByStatusOrderByAgeAsc('active'))?.name, 'Linus');
    assert.equal((await m.findOneByEmail('grace@y.io'))?.name, 'Grace');
    assert.equal(await m.findOneByEmail('nobody@x.io'), null);
  });

  t.test('a Pageable last returns a Page, the name order first', async () => {
    const page: Page<DMember> = await f().members.findByStatusOrderByAgeDescNameAsc('active', {
      page: 1,
      size: 3,
    });
    assert.deepEqual(
      page.items.map((r) => r.name),
      ['Linus'],
    );
    assert.equal(page.total, 4);
    assert.equal(page.totalPages, 2);
    assert.equal(page.hasNext, false);
    const first = await f().members.findByStatus('active', { page: 0, size: 2, sort: { joinedAt: 'desc' } });
    assert.deepEqual(
      first.items.map((r) => r.name),
      ['Barbara', 'Grace'],
    );
    assert.equal(first.hasNext, true);
  });

  t.test('countBy and existsBy', async () => {
    const { members: m } = f();
    assert.equal(await m.countByStatus('active'), where((r) => r.status === 'active').length);
    assert.equal(await m.existsByEmailIgnoreCase('GRACE@Y.IO'), true);
    assert.equal(await m.existsByEmailIgnoreCase('nobody@x.io'), false);
  });

  t.test(
    'deleteBy deletes the matching rows and returns how many, text compared as find compares it',
    async () => {
      const { kosha } = ctx();
      const { members: m } = f();
      const tag = ctx()
        .label('del')
        .replace(/[^a-z0-9]/gi, '');
      const row = (orderNumber: string, notes: string | null) => ({
        ...MEMBERS[0]!,
        team: null,
        orderNumber,
        notes,
      });
      await m.insertAll([
        row(`${tag}-1`, 'Keep'),
        row(`${tag}-2`, 'x'),
        row(`${tag}_3`, null),
        row(`${tag}x3`, null),
      ]);
      assert.equal(await m.deleteByOrderNumberAndNotesIgnoreCase(`${tag}-1`, 'KEEP'), 1);
      assert.equal(await m.deleteByOrderNumberStartingWith(`${tag}_`), 1, '_ is data, not a wildcard');
      assert.equal(await m.deleteByOrderNumberStartingWith(tag), 2);
      assert.equal(await m.deleteByOrderNumberStartingWith(tag), 0);
      assert.equal(
        await kosha.transaction(() => m.countByStatus('active')),
        where((r) => r.status === 'active').length,
      );
    },
  );

  t.test(
    'deleteBy joins the caller transaction: rolled back with it, refused in a read-only one',
    async () => {
      const { kosha } = ctx();
      const { members: m } = f();
      const tag = ctx()
        .label('rb')
        .replace(/[^a-z0-9]/gi, '');
      await m.insertAll([{ ...MEMBERS[1]!, team: null, orderNumber: tag }]);
      const err = await rejectionOf(
        kosha.transaction(async () => {
          assert.equal(await m.deleteByOrderNumberStartingWith(tag), 1);
          assert.deepEqual(await m.findByOrderNumber(tag), []);
          throw new Error('roll back');
        }),
      );
      assert.equal((err as Error).message, 'roll back');
      assert.equal((await m.findByOrderNumber(tag)).length, 1);
      const ro = await rejectionOf(
        kosha.transaction(() => m.deleteByOrderNumberStartingWith(tag), { readOnly: true }),
      );
      assert.ok(ro instanceof IllegalTransactionStateError, String(ro));
      assert.equal(await m.deleteByOrderNumberStartingWith(tag), 1);
    },
  );

  t.test('deleteBy: the session forgets the entities it deleted and keeps the others', async () => {
    const { kosha } = ctx();
    const { members: m } = f();
    const tag = ctx()
      .label('uow')
      .replace(/[^a-z0-9]/gi, '');
    const [gone, kept] = await m.insertAll([
      { ...MEMBERS[2]!, team: null, orderNumber: `${tag}-gone` },
      { ...MEMBERS[2]!, team: null, orderNumber: `${tag}+kept` },
    ]);
    await kosha.transaction(async () => {
      const [loaded] = await m.findByOrderNumber(`${tag}-gone`);
      const [other] = await m.findByOrderNumber(`${tag}+kept`);
      assert.ok(loaded && other);
      assert.equal(await m.deleteByOrderNumberStartingWith(`${tag}-`), 1);
      assert.equal(await m.getById(gone!.id), null);
      other.notes = 'changed';
    });
    assert.equal((await m.getById(kept!.id))?.notes, 'changed');
    assert.equal(await m.deleteByOrderNumberStartingWith(tag), 1);
  });

  t.test('reads join the caller transaction and see its writes', async () => {
    const { kosha } = ctx();
    const { members: m } = f();
    const tag = ctx()
      .label('tx')
      .replace(/[^a-z0-9]/gi, '');
    await rejectionOf(
      kosha.transaction(async () => {
        await m.insertAll([{ ...MEMBERS[3]!, team: null, orderNumber: tag }]);
        assert.equal((await m.findByOrderNumber(tag)).length, 1);
        throw new Error('roll back');
      }),
    );
    assert.deepEqual(await m.findByOrderNumber(tag), []);
  });

  t.test('a call with the wrong arguments is refused before any SQL', async () => {
    const { members: m } = f();
    const { sessionsOpened } = ctx();
    const before = sessionsOpened();
    const refused = async (call: () => Promise<unknown>, message: RegExp) => {
      const err = await rejectionOf(Promise.resolve().then(call));
      assert.ok(err instanceof InvalidArgumentError, String(err));
      assert.match(err.message, message);
    };
    await refused(
      () => (m.findByEmail as (...a: unknown[]) => Promise<unknown>)(),
      /takes 1 argument \(email\)/,
    );
    await refused(
      () => (m.countByStatus as (...a: unknown[]) => Promise<unknown>)('active', {}),
      /countByStatus takes 1 argument \(status\), got 2/,
    );
    await refused(() => m.findByEmail({ $ne: '' } as never), /plain objects are never query operators/);
    await refused(() => m.findByAgeIn(18 as never), /is an array of values/);
    await refused(() => m.findByEmail('a', { where: {} } as never), /unknown option "where"/);
    await refused(() => m.findByTeam({ name: 'red' } as never), /argument 1 \(team\) is a value/);
    assert.equal(sessionsOpened(), before);
  });
}
