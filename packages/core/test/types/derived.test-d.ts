// Derived query methods are typed from their names: parameters in order with each field's type, the
// result from the prefix, the options (or a Pageable) last; a name that does not read does not compile.
import {
  DbRepo,
  type DerivedFindOneOptions,
  type DerivedFindOptions,
  type DerivedMethod,
  type DerivedNameError,
  type Opt,
  OptionalProps,
  type Page,
  type ValidDerivedName,
} from '@kosha/core';
import { describe, expectTypeOf, it } from 'vitest';

class Team {
  id!: number;
  name!: string;
}

class Post {
  id!: number;
  title!: string;
}

class User {
  declare [OptionalProps]?: 'createdAt';
  id!: number;
  email!: string;
  name!: string;
  status!: 'active' | 'blocked';
  age!: number | null;
  active!: boolean;
  createdAt!: Date;
  orderNumber!: string;
  order!: number;
  isNullable!: boolean;
  bio?: string;
  version!: Opt<number>;
  team!: Team | null;
  posts!: Post[];
  greet(): string {
    return this.name;
  }
}

type Options = DerivedFindOptions<User>;
/** The parameters of a derived method (of a find…By: the signature with the options, not the Pageable one). */
type Args<F extends (...args: never[]) => unknown> = Parameters<F>;

class Users extends DbRepo<User> {
  constructor() {
    super(User);
  }
  readonly findByEmail = this.derive('findByEmail');
  readonly findByStatusAndAgeGreaterThanOrderByNameDesc = this.derive(
    'findByStatusAndAgeGreaterThanOrderByNameDesc',
  );
  readonly findFirstByEmail = this.derive('findFirstByEmail');
  readonly findOneByEmailIgnoreCase = this.derive('findOneByEmailIgnoreCase');
  readonly findTop10ByStatusOrderByCreatedAtDesc = this.derive('findTop10ByStatusOrderByCreatedAtDesc');
  readonly countByStatus = this.derive('countByStatus');
  readonly existsByEmail = this.derive('existsByEmail');
  readonly deleteByActiveFalse = this.derive('deleteByActiveFalse');
  readonly findByAgeIn = this.derive('findByAgeIn');
  readonly findByAgeBetween = this.derive('findByAgeBetween');
  readonly findByAgeIsNull = this.derive('findByAgeIsNull');
  readonly findByAge = this.derive('findByAge');
  readonly findByNameStartingWithIgnoreCase = this.derive('findByNameStartingWithIgnoreCase');
  readonly findByStatusNotIn = this.derive('findByStatusNotIn');
  readonly findByStatusLike = this.derive('findByStatusLike');
  readonly findByTeam = this.derive('findByTeam');
  readonly findByTeamIn = this.derive('findByTeamIn');
  readonly findByBio = this.derive('findByBio');
  readonly findByVersionGreaterThan = this.derive('findByVersionGreaterThan');
  readonly findByOrderByNameAsc = this.derive('findByOrderByNameAsc');
  readonly findByOrderNumberOrOrderOrderByOrderNumberAscOrderDesc = this.derive(
    'findByOrderNumberOrOrderOrderByOrderNumberAscOrderDesc',
  );
  readonly findByIsNullableTrue = this.derive('findByIsNullableTrue');
  readonly findByEmailAndNameIgnoreCaseAndStatusNotOrAgeBetweenAndActiveTrueOrderByNameAscCreatedAtDesc =
    this.derive(
      'findByEmailAndNameIgnoreCaseAndStatusNotOrAgeBetweenAndActiveTrueOrderByNameAscCreatedAtDesc',
    );
}

declare const users: Users;

describe('derived methods: results from the prefix', () => {
  it('findBy: the rows, or a Page with a Pageable', () => {
    expectTypeOf(users.findByEmail('a@x.io')).toEqualTypeOf<Promise<User[]>>();
    expectTypeOf(
      users.findByEmail('a@x.io', { limit: 5, offset: 5, orderBy: { name: 'asc' } }),
    ).toEqualTypeOf<Promise<User[]>>();
    expectTypeOf(
      users.findByEmail('a@x.io', { page: 0, size: 20, sort: { createdAt: 'desc' } }),
    ).toEqualTypeOf<Promise<Page<User>>>();
    expectTypeOf<Args<typeof users.findByEmail>>().toEqualTypeOf<[string, Options?]>();
  });

  it('findFirstBy / findOneBy: one row or null', () => {
    expectTypeOf(users.findFirstByEmail).toEqualTypeOf<
      (value: string, options?: DerivedFindOneOptions<User>) => Promise<User | null>
    >();
    expectTypeOf(users.findOneByEmailIgnoreCase('A@X.IO')).toEqualTypeOf<Promise<User | null>>();
  });

  it('findTop<N>By: rows, and no Pageable', () => {
    expectTypeOf(users.findTop10ByStatusOrderByCreatedAtDesc).toEqualTypeOf<
      (value: 'active' | 'blocked', options?: Options) => Promise<User[]>
    >();
    // @ts-expect-error: a top-N query does not page
    users.findTop10ByStatusOrderByCreatedAtDesc('active', { page: 0, size: 5 });
  });

  it('countBy, existsBy, deleteBy: a number, a boolean, a number; no options', () => {
    expectTypeOf(users.countByStatus).toEqualTypeOf<(value: 'active' | 'blocked') => Promise<number>>();
    expectTypeOf(users.existsByEmail).toEqualTypeOf<(value: string) => Promise<boolean>>();
    expectTypeOf(users.deleteByActiveFalse).toEqualTypeOf<() => Promise<number>>();
    // @ts-expect-error: count takes no options
    users.countByStatus('active', { limit: 1 });
  });
});

describe('derived methods: parameters from the fields', () => {
  it('takes them in the order of the name, each with its field type', () => {
    expectTypeOf<Args<typeof users.findByStatusAndAgeGreaterThanOrderByNameDesc>>().toEqualTypeOf<
      ['active' | 'blocked', number, Options?]
    >();
    expectTypeOf<
      Args<
        typeof users.findByEmailAndNameIgnoreCaseAndStatusNotOrAgeBetweenAndActiveTrueOrderByNameAscCreatedAtDesc
      >
    >().toEqualTypeOf<[string, string, 'active' | 'blocked', number, number, Options?]>();
    // @ts-expect-error: status is 'active' | 'blocked'
    users.findByStatusAndAgeGreaterThanOrderByNameDesc('gone', 18);
    // @ts-expect-error: age is a number
    users.findByStatusAndAgeGreaterThanOrderByNameDesc('active', '18');
    // @ts-expect-error: two criteria, two arguments
    users.findByStatusAndAgeGreaterThanOrderByNameDesc('active');
  });

  it('In takes an array, Between two, IsNull and True none, the text keywords a string', () => {
    expectTypeOf<Args<typeof users.findByAgeIn>>().toEqualTypeOf<[readonly number[], Options?]>();
    expectTypeOf<Args<typeof users.findByAgeBetween>>().toEqualTypeOf<[number, number, Options?]>();
    expectTypeOf<Args<typeof users.findByAgeIsNull>>().toEqualTypeOf<[Options?]>();
    expectTypeOf<Args<typeof users.findByIsNullableTrue>>().toEqualTypeOf<[Options?]>();
    expectTypeOf<Args<typeof users.findByNameStartingWithIgnoreCase>>().toEqualTypeOf<[string, Options?]>();
    expectTypeOf<Args<typeof users.findByStatusNotIn>>().toEqualTypeOf<
      [readonly ('active' | 'blocked')[], Options?]
    >();
    expectTypeOf<Args<typeof users.findByStatusLike>>().toEqualTypeOf<[string, Options?]>();
    expectTypeOf<Args<typeof users.findByOrderByNameAsc>>().toEqualTypeOf<[Options?]>();
  });

  it('equality takes null where the field is nullable; optional fields take their type', () => {
    expectTypeOf<Args<typeof users.findByAge>>().toEqualTypeOf<[number | null, Options?]>();
    expectTypeOf<Args<typeof users.findByBio>>().toEqualTypeOf<[string, Options?]>();
    expectTypeOf(users.findByVersionGreaterThan).toBeCallableWith(3);
    // @ts-expect-error: email is not nullable
    users.findByEmail(null);
  });

  it('a to-one relation takes the entity or its key', () => {
    expectTypeOf<Args<typeof users.findByTeam>>().toEqualTypeOf<[Team | number | null, Options?]>();
    expectTypeOf<Args<typeof users.findByTeamIn>>().toEqualTypeOf<[readonly (Team | number)[], Options?]>();
  });

  it('reads field names that hold keywords', () => {
    expectTypeOf<Args<typeof users.findByOrderNumberOrOrderOrderByOrderNumberAscOrderDesc>>().toEqualTypeOf<
      [string, number, Options?]
    >();
  });
});

class Tricky {
  id!: number;
  label!: string;
  labelNot!: boolean;
  code!: string;
  codeIn!: string;
}

describe('derived names: the longest field that reads, as at run time', () => {
  it('takes the longer field, or the shorter one when the longer does not read', () => {
    expectTypeOf<Args<DerivedMethod<Tricky, 'findByCodeIn'>>>().toEqualTypeOf<
      [string, DerivedFindOptions<Tricky>?]
    >();
    expectTypeOf<Args<DerivedMethod<Tricky, 'findByCodeInIn'>>>().toEqualTypeOf<
      [readonly string[], DerivedFindOptions<Tricky>?]
    >();
    // labelNot is a boolean: labelNot + Like does not apply, so label + NotLike.
    expectTypeOf<Args<DerivedMethod<Tricky, 'findByLabelNotLike'>>>().toEqualTypeOf<
      [string, DerivedFindOptions<Tricky>?]
    >();
    expectTypeOf<Args<DerivedMethod<Tricky, 'findByLabelNotTrue'>>>().toEqualTypeOf<
      [DerivedFindOptions<Tricky>?]
    >();
  });
});

class Wrong extends DbRepo<User> {
  constructor() {
    super(User);
  }
  // @ts-expect-error: no field Emial
  readonly a = this.derive('findByEmial');
  // @ts-expect-error: no such prefix
  readonly b = this.derive('searchByEmail');
  // @ts-expect-error: Like on a number
  readonly c = this.derive('findByAgeLike');
  // @ts-expect-error: True on a string
  readonly d = this.derive('findByNameTrue');
  // @ts-expect-error: a to-many relation
  readonly e = this.derive('findByPosts');
  // @ts-expect-error: an order key twice
  readonly f = this.derive('findByEmailOrderByNameAscNameDesc');
  // @ts-expect-error: no direction
  readonly g = this.derive('findByEmailOrderByName');
  // @ts-expect-error: OrderBy on count
  readonly h = this.derive('countByEmailOrderByNameAsc');
  // @ts-expect-error: findTop0
  readonly i = this.derive('findTop0ByEmail');
  // @ts-expect-error: no keyword GreaterThen
  readonly j = this.derive('findByAgeGreaterThen');
  // @ts-expect-error: methods are not fields
  readonly k = this.derive('findByGreet');
  // @ts-expect-error: IgnoreCase on a number
  readonly l = this.derive('findByAgeIgnoreCase');
  // @ts-expect-error: nothing after By
  readonly m = this.derive('findBy');
}

describe('derived names that do not read', () => {
  it('do not compile, and the type names the part that does not read', () => {
    expectTypeOf<Wrong>().toBeObject();
    expectTypeOf<ValidDerivedName<User, 'findByEmial'>>().toEqualTypeOf<
      'findByEmial' & DerivedNameError<'cannot read "Emial": no field starts there'>
    >();
    expectTypeOf<ValidDerivedName<User, 'findByAgeLike'>>().toEqualTypeOf<
      'findByAgeLike' & DerivedNameError<'AgeLike: Like applies to text fields'>
    >();
    expectTypeOf<ValidDerivedName<User, 'findByEmailFoo'>>().toEqualTypeOf<
      'findByEmailFoo' &
        DerivedNameError<'cannot read "Foo" after Email: expected a keyword, IgnoreCase, And, Or, OrderBy or the end'>
    >();
    expectTypeOf<ValidDerivedName<User, 'findByEmail'>>().toEqualTypeOf<'findByEmail'>();
  });

  it('a name that is no literal is checked when derive runs', () => {
    expectTypeOf<DerivedMethod<User, string>>().toEqualTypeOf<(...args: unknown[]) => Promise<unknown>>();
  });
});
