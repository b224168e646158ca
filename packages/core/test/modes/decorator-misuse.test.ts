import {
  ConfigError,
  cacheable,
  cacheEvict,
  cachePut,
  column,
  createdAt,
  DbRepo,
  entity,
  id,
  KoshaError,
  MappingError,
  manyToOne,
  metadataOf,
  oneToMany,
  repository,
  resolveEntities,
  table,
  transactional,
  updatedAt,
  version,
} from '@kosha/core';
import { describe, expect, it } from 'vitest';

// Every misuse below is written the way a JavaScript user (or a cast) would write it, so the casts
// only get it past the compiler: what runs is the decorator misapplied, in this file's decorator mode.
type AnyDecorator = (target: any, keyOrContext: any, descriptor?: any) => any;
const asAny = (d: unknown) => d as AnyDecorator;
const asClass = (d: unknown) => d as ClassDecorator;
/** `@entity()` and `@repository()`: called, though they are used bare. */
const calledEntity = entity as unknown as () => ClassDecorator;
const calledRepository = repository as unknown as () => ClassDecorator;

/** True when this file runs with TC39 standard decorators (they get a context object, not a key). */
const standard = (() => {
  let sawContext = false;
  const probe: AnyDecorator = (_target, keyOrContext) => {
    sawContext = typeof keyOrContext === 'object';
  };
  class Probe {
    @probe m() {}
  }
  void Probe;
  return sawContext;
})();

/** How a message names a member: `Class.member` in legacy mode; TC39 member decorators are not told the class. */
const at = (cls: string, member: string) => (standard ? member : `${cls}.${member}`);

/** The error a class definition throws. */
function thrown(define: () => unknown): Error {
  try {
    define();
  } catch (error) {
    return error as Error;
  }
  throw new Error('the class definition did not throw');
}

/** A KoshaError of the given class, never a plain TypeError, whose message says all of `parts`. */
function expectKoshaError(error: Error, type: typeof MappingError | typeof ConfigError, ...parts: string[]) {
  expect(error).toBeInstanceOf(type);
  expect(error).toBeInstanceOf(KoshaError);
  expect(error).not.toBeInstanceOf(TypeError);
  for (const part of parts) expect(error.message).toContain(part);
}

describe('mapping decorators in the wrong place are MappingErrors naming the member and the fix', () => {
  it('@column on a method', () => {
    const error = thrown(() => {
      class Account {
        @column({ type: 'string' }) label() {
          return '';
        }
      }
      return Account;
    });
    expectKoshaError(
      error,
      MappingError,
      `@column on ${at('Account', 'label')}: @column goes on an instance property, not on a method.`,
      'label!:',
    );
  });

  it('@id on a getter, @version on a setter, @updatedAt on a class', () => {
    expectKoshaError(
      thrown(() => {
        class Account {
          @id() get key() {
            return 1;
          }
        }
        return Account;
      }),
      MappingError,
      `@id on ${at('Account', 'key')}: @id goes on an instance property, not on a getter`,
    );
    expectKoshaError(
      thrown(() => {
        class Account {
          @version() set revision(_v: number) {}
        }
        return Account;
      }),
      MappingError,
      `@version on ${at('Account', 'revision')}: @version goes on an instance property, not on a setter`,
    );
    expectKoshaError(
      thrown(() => {
        @asClass(updatedAt())
        class Account {}
        return Account;
      }),
      MappingError,
      '@updatedAt goes on an instance property, not on a class',
    );
  });

  it('@createdAt on a static field', () => {
    const error = thrown(() => {
      class Account {
        @createdAt() static created: Date;
      }
      return Account;
    });
    expectKoshaError(
      error,
      MappingError,
      `@createdAt on ${at('Account', 'created')}: @createdAt goes on an instance property, not on a static one`,
      'remove `static`',
    );
  });

  it('an accessor field: mapped in TC39 mode, refused with the fix in legacy mode', () => {
    const define = () => {
      @entity
      class Gadget {
        @id() id!: number;
        @column({ type: 'string' }) accessor label = '';
      }
      return Gadget;
    };
    if (standard) {
      // (TC39 applies accessor decorators before field decorators: the order is not declaration order.)
      expect(
        metadataOf(define())
          .properties.map((p) => p.name)
          .sort(),
      ).toEqual(['id', 'label']);
    } else {
      expectKoshaError(
        thrown(define),
        MappingError,
        '@column on Gadget.label: @column goes on an instance property, not on a getter/setter pair',
        '`accessor`',
        'label!:',
      );
    }
  });

  it('@entity on a method, @entity() called, @entity given a non-class', () => {
    expectKoshaError(
      thrown(() => {
        class Account {
          @asAny(entity) save() {}
        }
        return Account;
      }),
      MappingError,
      `@entity on ${at('Account', 'save')}: @entity goes on a class, not on a method.`,
    );
    expectKoshaError(
      thrown(() => {
        @calledEntity()
        class Account {}
        return Account;
      }),
      MappingError,
      '@entity is used bare: write @entity above the class, not @entity().',
    );
    expectKoshaError(
      thrown(() => entity({} as never)),
      MappingError,
      '@entity goes on a class',
    );
  });

  it('@table with an empty name, bare @table, @table on a method', () => {
    expectKoshaError(
      thrown(() => {
        @entity
        @table('')
        class Ledger {
          @id() id!: number;
        }
        return Ledger;
      }),
      MappingError,
      `@table on Ledger: the table name must be a non-empty string, got "". Write @table('ledger')`,
    );
    expectKoshaError(
      thrown(() => {
        @asClass(table)
        class Ledger {}
        return Ledger;
      }),
      MappingError,
      "@table on Ledger: @table must be called with the table name: @table('ledger'), not a bare @table.",
    );
    expectKoshaError(
      thrown(() => {
        class Ledger {
          @asAny(table('ledgers')) save() {}
        }
        return Ledger;
      }),
      MappingError,
      `@table on ${at('Ledger', 'save')}: @table goes on a class, not on a method.`,
    );
  });

  it('bare @manyToOne and @oneToMany, and options that are not an object', () => {
    @entity
    class Owner {
      @id() id!: number;
    }
    expectKoshaError(
      thrown(() => {
        class Pet {
          @asAny(manyToOne) owner!: Owner;
        }
        return Pet;
      }),
      MappingError,
      `@manyToOne on ${at('Pet', 'owner')}: @manyToOne must be called with its target: @manyToOne(() => Target)`,
    );
    expectKoshaError(
      thrown(() => {
        class Pet {
          @asAny(oneToMany) owners!: Owner[];
        }
        return Pet;
      }),
      MappingError,
      `@oneToMany on ${at('Pet', 'owners')}: @oneToMany must be called with its target and mappedBy`,
    );
    expectKoshaError(
      thrown(() => column('string' as never)),
      MappingError,
      '@column takes an options object, e.g. @column({ type: \'string\' }), got "string"',
    );
  });

  it('two @version properties are refused at resolution, as two @id are', () => {
    abstract class Versioned {
      @version() version!: number;
    }
    @entity
    class Ticket extends Versioned {
      @id() id!: number;
      @version() revision!: number;
    }
    expect(() => resolveEntities([Ticket])).toThrow(MappingError);
    expect(() => resolveEntities([Ticket])).toThrow(
      /Ticket has 2 @version properties \(version, revision\): use one\./,
    );
  });
});

describe('@repository in the wrong place is a ConfigError naming the class and the fix', () => {
  it('on a class that does not extend DbRepo, called as @repository(), on a method', () => {
    expectKoshaError(
      thrown(() => {
        @asClass(repository)
        class Accounts {}
        return Accounts;
      }),
      ConfigError,
      '@repository on Accounts: the class must extend DbRepo<Entity>: class Accounts extends DbRepo<MyEntity> { … }',
    );
    expectKoshaError(
      thrown(() => {
        @calledRepository()
        class Accounts extends DbRepo<object> {}
        return Accounts;
      }),
      ConfigError,
      '@repository is used bare: write @repository above the class, not @repository().',
    );
    expectKoshaError(
      thrown(() => {
        class Accounts extends DbRepo<object> {
          @asAny(repository) lookup() {}
        }
        return Accounts;
      }),
      ConfigError,
      `@repository on ${at('Accounts', 'lookup')}: @repository goes on a class, not on a method.`,
    );
  });
});

describe('method decorators in the wrong place are ConfigErrors naming the member and the fix', () => {
  it('@transactional on a getter, a field, a setter and a class', () => {
    expectKoshaError(
      thrown(() => {
        class Ledger {
          // @ts-expect-error: the types refuse it too; the runtime check is for untyped callers
          @transactional get total() {
            return 1;
          }
        }
        return Ledger;
      }),
      ConfigError,
      `@transactional on ${at('Ledger', 'total')}: @transactional goes on a method, not on a getter.`,
      'async total()',
    );
    expectKoshaError(
      thrown(() => {
        class Ledger {
          // @ts-expect-error: a field is no method
          @transactional handler = async () => 1;
        }
        return Ledger;
      }),
      ConfigError,
      `@transactional on ${at('Ledger', 'handler')}: @transactional goes on a method, not on a field.`,
      'async handler()',
    );
    expectKoshaError(
      thrown(() => {
        class Ledger {
          // @ts-expect-error: a setter is no method
          @transactional({ readOnly: true }) set total(_v: number) {}
        }
        return Ledger;
      }),
      ConfigError,
      '@transactional goes on a method, not on a setter.',
    );
    expectKoshaError(
      thrown(() => {
        @asClass(transactional)
        class Ledger {}
        return Ledger;
      }),
      ConfigError,
      '@transactional on Ledger: @transactional goes on a method, not on a class.',
    );
  });

  it('@cacheable on a field, @cacheEvict on a getter, @cachePut on a class', () => {
    expectKoshaError(
      thrown(() => {
        class Prices {
          // @ts-expect-error: a field is no method
          @cacheable({ keyPrefix: 'price' }) price = async () => 1;
        }
        return Prices;
      }),
      ConfigError,
      `@cacheable on ${at('Prices', 'price')}: @cacheable goes on a method, not on a field.`,
    );
    expectKoshaError(
      thrown(() => {
        class Prices {
          // @ts-expect-error: a getter is no method
          @cacheEvict({ keyPrefix: 'price' }) get all() {
            return 1;
          }
        }
        return Prices;
      }),
      ConfigError,
      `@cacheEvict on ${at('Prices', 'all')}: @cacheEvict goes on a method, not on a getter.`,
    );
    expectKoshaError(
      thrown(() => {
        @asClass(cachePut({ keyPrefix: 'price' }))
        class Prices {}
        return Prices;
      }),
      ConfigError,
      '@cachePut on Prices: @cachePut goes on a method, not on a class.',
    );
  });
});

describe('a bare cache decorator (not called with its options) is a ConfigError when the class is defined', () => {
  for (const [name, decorator] of [
    ['cacheable', cacheable],
    ['cacheEvict', cacheEvict],
    ['cachePut', cachePut],
  ] as const) {
    it(`@${name}`, () => {
      const error = thrown(() => {
        class Prices {
          @asAny(decorator) async price(sku: string) {
            return sku.length;
          }
        }
        return Prices;
      });
      expectKoshaError(
        error,
        ConfigError,
        `@${name} on ${at('Prices', 'price')}: @${name} must be called with its options: ` +
          `@${name}({ keyPrefix: 'user' }), not a bare @${name}.`,
      );
    });
  }
});
