import {
  and,
  between,
  column,
  contains,
  DbRepo,
  derivedQuery,
  endsWith,
  entity,
  eq,
  gt,
  gte,
  InvalidArgumentError,
  id,
  ilike,
  isIn,
  isNotNull,
  isNull,
  like,
  lt,
  lte,
  MappingError,
  manyToOne,
  metadataOf,
  ne,
  normalizeWhere,
  not,
  notIn,
  oneToMany,
  or,
  parseDerivedName,
  resolveEntities,
  startsWith,
  type Where,
} from '@kosha/core';
import { describe, expect, it } from 'vitest';

@entity
class DnTeam {
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
}

@entity
class DnUser {
  @id() id!: number;
  @column({ type: 'string' }) email!: string;
  @column({ type: 'string' }) name!: string;
  @column({ type: 'enum', enum: ['active', 'blocked'] }) status!: 'active' | 'blocked';
  @column({ type: 'integer', nullable: true }) age!: number | null;
  @column({ type: 'boolean' }) active!: boolean;
  @column({ type: 'datetime' }) createdAt!: Date;
  @column({ type: 'json', nullable: true }) settings!: unknown;
  // Field names that hold keywords: Or, Order, Is, Null, Not, Desc, In.
  @column({ type: 'string' }) orderNumber!: string;
  @column({ type: 'integer' }) order!: number;
  @column({ type: 'boolean' }) isNullable!: boolean;
  @column({ type: 'string', nullable: true }) notes!: string | null;
  @column({ type: 'string' }) description!: string;
  @column({ type: 'string' }) label!: string;
  @column({ type: 'boolean' }) labelNot!: boolean;
  @column({ type: 'string' }) code!: string;
  @column({ type: 'string' }) codeIn!: string;
  @manyToOne(() => DnTeam, { nullable: true }) team!: DnTeam | null;
  @oneToMany(() => DnPost, 'author') posts!: DnPost[];
}

@entity
class DnPost {
  @id() id!: number;
  @column({ type: 'string' }) title!: string;
  @manyToOne(() => DnUser) author!: DnUser;
}

resolveEntities([DnTeam, DnUser, DnPost]);
const users = metadataOf(DnUser);

const parse = (name: string) => parseDerivedName(users, name, `DnUserRepo.derive(${JSON.stringify(name)})`);
const query = (name: string) => derivedQuery(parse(name), `DnUserRepo.${name}`);
/** The normalized where a derived name makes of `args`, beside the one of the where written by hand. */
const same = (name: string, args: unknown[], where: Where<DnUser>) =>
  expect(normalizeWhere(users, query(name).where(args))).toEqual(normalizeWhere(users, where));
const refused = (name: string, part: RegExp) => {
  expect(() => parse(name)).toThrow(MappingError);
  expect(() => parse(name)).toThrow(part);
};

describe('derived names: keywords', () => {
  const d = new Date('2026-01-01T00:00:00Z');
  const cases: [string, unknown[], Where<DnUser>][] = [
    ['findByEmail', ['a@x.io'], { email: 'a@x.io' }],
    ['findByEmailIs', ['a@x.io'], { email: 'a@x.io' }],
    ['findByEmailEquals', ['a@x.io'], { email: 'a@x.io' }],
    ['findByEmailNot', ['a@x.io'], { email: ne('a@x.io') }],
    ['findByEmailIsNot', ['a@x.io'], { email: ne('a@x.io') }],
    ['findByAgeLessThan', [3], { age: lt(3) }],
    ['findByAgeIsLessThan', [3], { age: lt(3) }],
    ['findByAgeLessThanEqual', [3], { age: lte(3) }],
    ['findByAgeGreaterThan', [3], { age: gt(3) }],
    ['findByAgeGreaterThanEqual', [3], { age: gte(3) }],
    ['findByCreatedAtIsGreaterThanEqual', [d], { createdAt: gte(d) }],
    ['findByAgeBetween', [1, 9], { age: between(1, 9) }],
    ['findByAgeIsBetween', [1, 9], { age: between(1, 9) }],
    ['findByAgeIn', [[1, 2]], { age: isIn([1, 2]) }],
    ['findByAgeIsIn', [[1, 2]], { age: isIn([1, 2]) }],
    ['findByAgeNotIn', [[1, 2]], { age: notIn([1, 2]) }],
    ['findByNameLike', ['A%'], { name: like('A%') }],
    ['findByNameNotLike', ['A%'], not({ name: like('A%') })],
    ['findByNameStartingWith', ['A'], { name: startsWith('A') }],
    ['findByNameStartsWith', ['A'], { name: startsWith('A') }],
    ['findByNameEndingWith', ['a'], { name: endsWith('a') }],
    ['findByNameEndsWith', ['a'], { name: endsWith('a') }],
    ['findByNameContaining', ['d'], { name: contains('d') }],
    ['findByNameContains', ['d'], { name: contains('d') }],
    ['findByNameNotContaining', ['d'], not({ name: contains('d') })],
    ['findByAgeIsNull', [], { age: isNull() }],
    ['findByAgeNull', [], { age: isNull() }],
    ['findByAgeIsNotNull', [], { age: isNotNull() }],
    ['findByAgeNotNull', [], { age: isNotNull() }],
    ['findByActiveTrue', [], { active: true }],
    ['findByActiveIsTrue', [], { active: true }],
    ['findByActiveFalse', [], { active: false }],
    ['findByActiveIsFalse', [], { active: false }],
    ['findByStatus', ['active'], { status: 'active' }],
    ['findBySettingsIsNull', [], { settings: isNull() }],
  ];
  for (const [name, args, where] of cases) {
    it(`${name} reads as its where`, () => same(name, args, where));
  }

  it('IgnoreCase makes equality and the text keywords case-insensitive', () => {
    same('findByEmailIgnoreCase', ['A@X.IO'], { email: eq('A@X.IO', { ignoreCase: true }) });
    same('findByEmailIsNotIgnoreCase', ['A'], { email: ne('A', { ignoreCase: true }) });
    same('findByNameLikeIgnoreCase', ['a%'], { name: ilike('a%') });
    same('findByNameNotLikeIgnoreCase', ['a%'], not({ name: ilike('a%') }));
    same('findByNameStartingWithIgnoreCase', ['a'], { name: startsWith('a', { ignoreCase: true }) });
    same('findByNameEndingWithIgnoringCase', ['a'], { name: endsWith('a', { ignoreCase: true }) });
    same('findByNameContainingIgnoreCase', ['a'], { name: contains('a', { ignoreCase: true }) });
    same('findByNameNotContainingIgnoreCase', ['a'], not({ name: contains('a', { ignoreCase: true }) }));
    // Where<T> types eq over the field's literals; the derived parameter is a string, compared ignoring case.
    same('findByStatusIgnoreCase', ['ACTIVE'], { status: eq('ACTIVE', { ignoreCase: true }) as never });
  });

  it('compares a to-one relation by entity or key', () => {
    const team = Object.assign(new DnTeam(), { id: 7, name: 't' });
    same('findByTeam', [team], { team: 7 });
    same('findByTeam', [7], { team: 7 });
    same('findByTeam', [null], { team: isNull() });
    same('findByTeamNot', [team], not({ team: 7 }));
    same('findByTeamIn', [[team, 8]], { team: isIn([7, 8]) });
    same('findByTeamNotIn', [[team]], { team: notIn([7]) });
    same('findByTeamIsNull', [], { team: isNull() });
  });
});

describe('derived names: And, Or and precedence', () => {
  it('And joins one where object; a field named twice joins with and(…)', () => {
    expect(query('findByEmailAndName').where(['e', 'n'])).toEqual({ email: 'e', name: 'n' });
    same('findByAgeGreaterThanAndAgeLessThan', [1, 9], and({ age: gt(1) }, { age: lt(9) }));
    same('findByNameAndNameNotLike', ['a', 'b%'], and({ name: 'a' }, not({ name: like('b%') })));
  });

  it('And binds tighter than Or', () => {
    same('findByEmailOrNameAndAgeGreaterThan', ['e', 'n', 3], or({ email: 'e' }, { name: 'n', age: gt(3) }));
    same(
      'findByEmailAndNameOrAgeIsNullOrActiveTrueAndStatus',
      ['e', 'n', 'active'],
      or({ email: 'e', name: 'n' }, { age: isNull() }, { active: true, status: 'active' }),
    );
  });

  it('takes the arguments in the order of the name', () => {
    const q = query('findByAgeBetweenAndNameInOrActiveTrueAndEmail');
    expect(q.parameters).toEqual(['age (low)', 'age (high)', 'name (array)', 'email']);
    same(
      'findByAgeBetweenAndNameInOrActiveTrueAndEmail',
      [1, 2, ['a'], 'e'],
      or({ age: between(1, 2), name: isIn(['a']) }, { active: true, email: 'e' }),
    );
  });
});

describe('derived names: prefixes and OrderBy', () => {
  it('reads each prefix', () => {
    const kinds = (name: string) => {
      const p = parse(name);
      return [p.kind, p.limit];
    };
    expect(kinds('findByEmail')).toEqual(['find', undefined]);
    expect(kinds('findFirstByEmail')).toEqual(['findOne', 1]);
    expect(kinds('findOneByEmail')).toEqual(['findOne', 1]);
    expect(kinds('findTop10ByEmail')).toEqual(['find', 10]);
    expect(kinds('findFirst3ByEmail')).toEqual(['find', 3]);
    expect(kinds('countByEmail')).toEqual(['count', undefined]);
    expect(kinds('existsByEmail')).toEqual(['exists', undefined]);
    expect(kinds('deleteByEmail')).toEqual(['delete', undefined]);
  });

  it('orders by several fields, with or without a condition', () => {
    expect(query('findByStatusOrderByNameDescCreatedAtAsc').orderBy).toEqual({
      name: 'desc',
      createdAt: 'asc',
    });
    expect(Object.keys(query('findByStatusOrderByNameDescCreatedAtAsc').orderBy!)).toEqual([
      'name',
      'createdAt',
    ]);
    const all = query('findTop3ByOrderByAgeDesc');
    expect(all.where([])).toBeUndefined();
    expect(all.orderBy).toEqual({ age: 'desc' });
    expect(all.limit).toBe(3);
    expect(query('findByOrderByTeamAsc').orderBy).toEqual({ team: 'asc' });
  });
});

describe('derived names: fields that hold keywords', () => {
  it('reads orderNumber and order beside OrderBy and Or', () => {
    same('findByOrderNumber', ['A1'], { orderNumber: 'A1' });
    same('findByOrder', [1], { order: 1 });
    same('findByOrderGreaterThan', [1], { order: gt(1) });
    same('findByStatusOrOrderNumber', ['active', 'A1'], or({ status: 'active' }, { orderNumber: 'A1' }));
    same('findByOrderNumberOrOrder', ['A1', 2], or({ orderNumber: 'A1' }, { order: 2 }));
    const q = query('findByOrderNumberOrderByOrderNumberAscOrderDesc');
    expect(q.orderBy).toEqual({ orderNumber: 'asc', order: 'desc' });
    expect(query('findByOrderByOrderAsc').orderBy).toEqual({ order: 'asc' });
  });

  it('reads isNullable, notes and description', () => {
    same('findByIsNullable', [true], { isNullable: true });
    same('findByIsNullableTrue', [], { isNullable: true });
    same('findByIsNullableIsFalse', [], { isNullable: false });
    same('findByNotes', ['n'], { notes: 'n' });
    same('findByNotesNot', ['n'], { notes: ne('n') });
    same('findByNotesIsNotNull', [], { notes: isNotNull() });
    expect(query('findByOrderByDescriptionDesc').orderBy).toEqual({ description: 'desc' });
  });

  it('takes the longest field, and a shorter one when the longer does not read', () => {
    same('findByCodeIn', ['x'], { codeIn: 'x' });
    same('findByCodeInIn', [['x']], { codeIn: isIn(['x']) });
    // labelNot is a boolean: "labelNot" + Like does not apply, so it reads as label + NotLike.
    same('findByLabelNotLike', ['x%'], not({ label: like('x%') }));
    same('findByLabelNotTrue', [], { labelNot: true });
  });
});

describe('derived names that do not read', () => {
  it('names an unknown prefix', () => {
    refused('searchByEmail', /cannot read "searchByEmail": a derived query method starts with find, /);
    refused('findAllByEmail', /cannot read "findAllByEmail"/);
    refused('find10ByEmail', /cannot read "find10ByEmail"/);
    refused('findTopByEmail', /findTop takes a whole number ≥ 1/);
    refused('findTop0ByEmail', /findTop takes a whole number ≥ 1/);
    refused('findTop01ByEmail', /findTop takes a whole number ≥ 1/);
    refused('findBy', /findBy needs a condition after By \(findByEmail\), or an order/);
    refused('countBy', /countBy needs a condition after By \(countByEmail\)\./);
  });

  it('names the part that is no field, and lists the fields', () => {
    refused(
      'findByEmial',
      /cannot read "Emial": no field of DnUser starts there\. Name a field in PascalCase: Id, Email, /,
    );
    refused('findByEmailAndNmae', /cannot read "Nmae"/);
    refused('findByemail', /cannot read "email"/);
    refused('findByOrderByNmeAsc', /cannot read "NmeAsc"/);
  });

  it('names the part after a field that is no keyword', () => {
    refused('findByEmailFoo', /cannot read "Foo" after Email: expected a keyword \(Is, Equals, Not, /);
    refused('findByAgeGreaterThen', /cannot read "GreaterThen" after Age/);
    refused('findByEmailAnd', /no field of DnUser starts there/);
  });

  it('refuses a keyword on a field it does not apply to', () => {
    refused(
      'findByAgeLike',
      /AgeLike: Like applies to text fields \(string, text, enum\), and DnUser\.age is a integer column/,
    );
    refused(
      'findByNameTrue',
      /NameTrue: True applies to boolean fields, and DnUser\.name is a string column/,
    );
    refused(
      'findByActiveGreaterThan',
      /ActiveGreaterThan: GreaterThan applies to columns with ordered values/,
    );
    refused('findByTeamLessThan', /DnUser\.team is a to-one relation/);
    refused('findBySettings', /equality applies to columns other than json/);
    refused(
      'findByPosts',
      /DnUser\.posts is a to-many relation: a derived method compares columns and to-one relations/,
    );
    refused(
      'findByAgeIgnoreCase',
      /AgeIgnoreCase: IgnoreCase compares text, and DnUser\.age is a integer column/,
    );
    refused('findByNameInIgnoreCase', /IgnoreCase follows equality \(Is, Not\) and the text keywords/);
  });

  it('refuses a wrong OrderBy', () => {
    refused('countByStatusOrderByNameAsc', /OrderBy has no effect on countBy/);
    refused('deleteByOrderByNameAsc', /OrderBy has no effect on deleteBy/);
    refused('findByStatusOrderByName', /OrderByName needs a direction: OrderByNameAsc or OrderByNameDesc/);
    refused('findByStatusOrderByNameAscNameDesc', /OrderBy names Name twice/);
    refused('findByOrderBySettingsAsc', /DnUser\.settings is a json column, which a query cannot order by/);
    refused('findByOrderByPostsAsc', /DnUser\.posts is a to-many relation, which a query cannot order by/);
  });
});

describe('derived calls: arguments', () => {
  it('refuses an undefined argument, naming it', () => {
    expect(() => query('findByEmail').where([undefined])).toThrow(InvalidArgumentError);
    expect(() => query('findByEmail').where([undefined])).toThrow(
      'DnUserRepo.findByEmail: argument 1 (email) is undefined. Pass a value.',
    );
    expect(() => query('findByNameAndAgeBetween').where(['n', 1, undefined])).toThrow(
      'argument 3 (age (high)) is undefined. Pass a value, or null to match NULL.',
    );
  });

  it('refuses an operator or a where where the name says the comparison', () => {
    expect(() => query('findByAge').where([gt(1)])).toThrow(/argument 1 \(age\) is a value to compare with/);
    expect(() => query('findByTeam').where([{ name: 'x' }])).toThrow(/argument 1 \(team\) is a value/);
    expect(() => query('findByAgeIn').where([1])).toThrow(
      /argument 1 \(age \(array\)\) is an array of values, got 1/,
    );
  });

  it('leaves values to the where check, so a plain object is never an operator', () => {
    const where = query('findByEmail').where([{ $ne: '' }]);
    expect(() => normalizeWhere(users, where)).toThrow(/plain objects are never query operators/);
  });
});

describe('DbRepo#derive', () => {
  it('reads the name when the repository is constructed, so a bad one throws then, not at the first call', () => {
    class DnBadRepo extends DbRepo<DnUser> {
      constructor() {
        super(DnUser);
      }
      readonly findByEmial = this.derive('findByEmial' as never);
    }
    expect(() => new DnBadRepo()).toThrow(MappingError);
    expect(() => new DnBadRepo()).toThrow('DnBadRepo.derive("findByEmial"): cannot read "Emial"');
  });

  it('returns a method named after the name, which checks its arguments before any transaction', async () => {
    class DnUserRepo extends DbRepo<DnUser> {
      constructor() {
        super(DnUser);
      }
      readonly findByEmailAndAgeBetween = this.derive('findByEmailAndAgeBetween');
    }
    const repo = new DnUserRepo();
    expect(repo.findByEmailAndAgeBetween.name).toBe('findByEmailAndAgeBetween');
    const call = repo.findByEmailAndAgeBetween as unknown as (...args: unknown[]) => Promise<unknown>;
    await expect(call('a', 1)).rejects.toThrow(
      'DnUserRepo.findByEmailAndAgeBetween takes 3 arguments (email, age (low), age (high)), then optionally ' +
        'an options object { limit, offset, orderBy, populate } or a Pageable { page, size, sort }, got 2.',
    );
    await expect(call('a', 1, 2, 'x')).rejects.toThrow(/the last argument is an options object/);
  });
});
