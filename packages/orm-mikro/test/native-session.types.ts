// Type test, checked by `pnpm typecheck` (tsc -p tsconfig.test.json): importing @kosha/orm-mikro types
// `repo.em` as MikroORM's SQL EntityManager through core's NativeSessionTypes augmentation point.
import { DbRepo, type NativeSession } from '@kosha/core';
import type { QueryBuilder, SqlEntityManager } from '@mikro-orm/sql';
import type {} from '../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<_T extends true>(): void {}

assertType<Equal<NativeSession, SqlEntityManager>>();

class Customer {
  id!: number;
  name!: string;
}

export class CustomerRepo extends DbRepo<Customer> {
  constructor() {
    super(Customer);
  }

  /** Beyond the built-ins, through the typed native EntityManager. */
  async named(name: string): Promise<Customer[]> {
    const qb: QueryBuilder<Customer> = this.em.createQueryBuilder(Customer);
    return qb.select('*').where({ name }).getResultList();
  }

  async rename(id: number, name: string): Promise<number> {
    return this.em.nativeUpdate(Customer, { id }, { name });
  }
}

// @ts-expect-error the typed EntityManager has no such method (with `unknown` every call would fail the same way,
// so the Equal assertion above is what proves the augmentation)
new CustomerRepo().em.noSuchMethod();
