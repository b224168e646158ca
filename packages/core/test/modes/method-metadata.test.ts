import 'reflect-metadata';
import {
  cacheable,
  cacheEvict,
  cachePut,
  column,
  DbRepo,
  entity,
  id,
  type Kosha,
  repository,
  transactional,
} from '@kosha/core';
import { describe, expect, it } from 'vitest';
import { testKosha } from '../cache/harness.js';

// NestJS-style method decorators keep what they record on the method function itself (reflect-metadata
// on the function, or a plain property). Kosha's decorators replace the method: these tests check that the
// replacement carries it, in this file's decorator mode, whichever side of Kosha's decorator it is on.

type AnyDecorator = (target: any, keyOrContext: any, descriptor?: any) => any;
type Seen = { meta: unknown; prop: unknown; name: string };

/** The method function a decorator is given, in either mode. */
const methodOf = (target: any, keyOrContext: any, descriptor?: any): Function =>
  typeof keyOrContext === 'object' ? target : descriptor.value;

/** Like Nest's `@SetMetadata(key, value)`: Reflect metadata on the method function. */
const setMetadata =
  (key: string, value: unknown): AnyDecorator =>
  (target, keyOrContext, descriptor) => {
    Reflect.defineMetadata(key, value, methodOf(target, keyOrContext, descriptor));
  };

/** A decorator that marks the function with a plain own property. */
const setProperty =
  (key: string, value: unknown): AnyDecorator =>
  (target, keyOrContext, descriptor) => {
    (methodOf(target, keyOrContext, descriptor) as unknown as Record<string, unknown>)[key] = value;
  };

/** Records what a decorator placed here sees on the method it is given. */
const look =
  (into: Seen[]): AnyDecorator =>
  (target, keyOrContext, descriptor) => {
    const fn = methodOf(target, keyOrContext, descriptor) as Function & { roles?: unknown };
    into.push({ meta: Reflect.getMetadata('roles', fn), prop: fn.roles, name: fn.name });
  };

describe('Kosha method decorators keep the method’s own properties and Reflect metadata', () => {
  const decorators = {
    transactional,
    'transactional({ readOnly })': transactional({ readOnly: true }),
    cacheable: cacheable({ keyPrefix: 'p' }),
    cacheEvict: cacheEvict({ keyPrefix: 'p' }),
    cachePut: cachePut({ keyPrefix: 'p' }),
  } as unknown as Record<string, AnyDecorator>;

  for (const [label, decorator] of Object.entries(decorators)) {
    it(`@${label}: a decorator above reads what one below wrote`, () => {
      const seen: Seen[] = [];
      class Service {
        @look(seen)
        @decorator
        @setMetadata('roles', ['admin'])
        @setProperty('roles', 'prop-admin')
        async load(_id: number) {
          return 1;
        }
      }
      expect(seen).toEqual([{ meta: ['admin'], prop: 'prop-admin', name: 'load' }]);
      expect(Reflect.getMetadata('roles', Service.prototype.load)).toEqual(['admin']);
    });

    it(`@${label}: metadata written above it stays on the method, and below-and-above combine`, () => {
      class Service {
        @setMetadata('guards', ['AuthGuard'])
        @decorator
        @setMetadata('roles', ['admin'])
        async load(_id: number) {
          return 1;
        }
      }
      const method = Service.prototype.load;
      expect(Reflect.getMetadata('guards', method)).toEqual(['AuthGuard']);
      expect(Reflect.getMetadata('roles', method)).toEqual(['admin']);
      expect(method.name).toBe('load');
    });
  }

  it('two Kosha decorators stacked pass metadata through both', () => {
    const seen: Seen[] = [];
    class Service {
      @look(seen)
      @transactional
      @cacheable({ keyPrefix: 'q' })
      @setMetadata('roles', ['reader'])
      async load(_id: number) {
        return 1;
      }
    }
    void Service;
    expect(seen[0]?.meta).toEqual(['reader']);
  });
});

@entity
class Note {
  @id() id!: number;
  @column({ type: 'string' }) text!: string;
}

@repository
class NoteRepo extends DbRepo<Note> {
  constructor(k: Kosha) {
    super(Note, k);
  }

  // The cache read @cacheable offers an enclosing @transactional is its own: @cacheEvict between them does
  // not pass it on, or a hit would skip the eviction.
  @transactional
  @cacheEvict({ keyPrefix: 'other' })
  @cacheable({ keyPrefix: 'note' })
  async readAndEvict(noteId: number) {
    return this.getById(noteId);
  }
}

describe('Kosha’s own marks are not copied', () => {
  it('@transactional @cacheEvict @cacheable: a cache hit still evicts', async () => {
    const { kosha: k } = await testKosha([Note]);
    const repo = new NoteRepo(k);
    await k.transaction(() => repo.insertAll([{ text: 'a' }]));
    await repo.readAndEvict(1); // a miss: cached under note:1
    await k.cache!.set('other:x', 'v', 60);
    await repo.readAndEvict(1); // a hit
    expect(await k.cache!.get('note:1')).toBeDefined();
    expect(await k.cache!.get('other:x')).toBeUndefined();
    await k.close();
  });
});
