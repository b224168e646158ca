// The method decorators are typed against the method they decorate, in both decorator modes (this file
// compiles once with TC39 decorators and once with experimentalDecorators).
import { cacheable, cacheEvict, cachePut, transactional } from '@kosha/core';
import { describe, expectTypeOf, it } from 'vitest';

class User {
  id!: number;
  name!: string;
}

describe('@cacheable', () => {
  it('gives key and condition the parameters of the method, and unless its resolved result', () => {
    class Users {
      @cacheable({
        keyPrefix: 'user',
        key: (id) => {
          expectTypeOf(id).toEqualTypeOf<number>();
          return id;
        },
        condition: (id) => {
          expectTypeOf(id).toEqualTypeOf<number>();
          return id > 0;
        },
        unless: (user, id) => {
          expectTypeOf(user).toEqualTypeOf<User | null>();
          expectTypeOf(id).toEqualTypeOf<number>();
          return user === null;
        },
      })
      async get(id: number): Promise<User | null> {
        return id ? new User() : null;
      }

      @cacheable({
        keyPrefix: 'search',
        key: (name, page) => {
          expectTypeOf(name).toEqualTypeOf<string>();
          expectTypeOf(page).toEqualTypeOf<number | undefined>();
          return `${name}/${page ?? 0}`;
        },
      })
      async search(name: string, page?: number): Promise<User[]> {
        return [Object.assign(new User(), { name, id: page ?? 0 })];
      }

      @cacheable({ keyPrefix: 'static', key: (code) => code.toUpperCase() })
      static async byCode(code: string): Promise<string> {
        return code;
      }
    }
    expectTypeOf(new Users().get).returns.resolves.toEqualTypeOf<User | null>();
  });

  it('takes a key that reads fewer parameters than the method has, or annotates them', () => {
    class Users {
      @cacheable({ keyPrefix: 'user', key: (u: User) => u.id })
      async rename(u: User, name: string): Promise<User> {
        return Object.assign(u, { name });
      }

      @cacheable({ keyPrefix: 'all', key: () => 'all' })
      async all(_limit: number): Promise<User[]> {
        return [];
      }
    }
    expectTypeOf<Users>().toHaveProperty('rename');
  });

  it('refuses a key that does not fit the method', () => {
    class Users {
      // @ts-expect-error: the method takes a number, not a string
      @cacheable({ keyPrefix: 'user', key: (id: string) => id })
      async get(id: number): Promise<User | null> {
        return id ? new User() : null;
      }

      // @ts-expect-error: a key is a string, a number or a bigint, not an object
      @cacheable({ keyPrefix: 'user', key: (id) => ({ id }) })
      async other(id: number): Promise<User | null> {
        return id ? new User() : null;
      }

      @cacheable({
        keyPrefix: 'user',
        // @ts-expect-error: unless gets the resolved result (User), which has no `then`
        unless: (user) => user.then === undefined,
      })
      async third(id: number): Promise<User> {
        return Object.assign(new User(), { id });
      }
    }
    expectTypeOf<Users>().toHaveProperty('get');
  });

  it('only goes on a method that returns a promise', () => {
    class Users {
      // @ts-expect-error: a sync method cannot be cache-aside (the decorated method returns a promise)
      @cacheable({ keyPrefix: 'user' })
      get(id: number): User {
        return Object.assign(new User(), { id });
      }

      // @ts-expect-error: a field holding a function is no method
      @cacheable({ keyPrefix: 'user' })
      load = async (id: number) => Object.assign(new User(), { id });
    }
    expectTypeOf<Users>().toHaveProperty('get');
  });
});

describe('@cacheEvict and @cachePut', () => {
  it('give key the parameters of the method', () => {
    class Users {
      @cacheEvict({
        keyPrefix: 'user',
        key: (id) => {
          expectTypeOf(id).toEqualTypeOf<number>();
          return id;
        },
      })
      async remove(id: number): Promise<boolean> {
        return id > 0;
      }

      @cachePut({
        keyPrefix: 'user',
        key: (u, name) => {
          expectTypeOf(u).toEqualTypeOf<User>();
          expectTypeOf(name).toEqualTypeOf<string>();
          return u.id;
        },
      })
      async rename(u: User, name: string): Promise<User> {
        return Object.assign(u, { name });
      }
    }
    expectTypeOf<Users>().toHaveProperty('remove');
  });

  it('only go on a method that returns a promise', () => {
    class Users {
      // @ts-expect-error: the decorated method would return a promise
      @cacheEvict({ keyPrefix: 'user' })
      remove(id: number): boolean {
        return id > 0;
      }

      // @ts-expect-error: the decorated method would return a promise
      @cachePut({ keyPrefix: 'user', key: (u) => u.id })
      rename(u: User): User {
        return u;
      }
    }
    expectTypeOf<Users>().toHaveProperty('remove');
  });
});

describe('@transactional', () => {
  it('goes on methods returning a promise, bare or with options', () => {
    class Service {
      @transactional
      async register(u: User): Promise<User> {
        return u;
      }

      @transactional({ propagation: 'REQUIRES_NEW', readOnly: undefined })
      async audit(_entry: string): Promise<void> {}

      @transactional
      async fail(): Promise<never> {
        throw new Error('no');
      }

      @transactional
      static async job(): Promise<number> {
        return 1;
      }
    }
    expectTypeOf(new Service().register).returns.resolves.toEqualTypeOf<User>();
  });

  it('only on methods', () => {
    // @ts-expect-error: not on a class
    @transactional
    class Service {
      // @ts-expect-error: the method @transactional puts in place returns a promise; this one a User
      @transactional
      load(): User {
        return new User();
      }

      // @ts-expect-error: not on a getter
      @transactional
      get user(): User {
        return new User();
      }

      // @ts-expect-error: not on a field
      @transactional({ readOnly: true })
      handler = async () => new User();
    }
    expectTypeOf<Service>().toHaveProperty('load');
  });
});
