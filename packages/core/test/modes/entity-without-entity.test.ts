import {
  column,
  createdAt,
  createKosha,
  type EntityClass,
  entity,
  id,
  MappingError,
  table,
} from '@kosha/core';
import { describe, expect, it } from 'vitest';
import { FakeBackend } from '../cache/fake-backend.js';

// This file keeps its own entity registry (vitest runs each test file in its own worker): the tests
// run in order and each one adds classes the next ones still see, as an application's modules would.

/** True when this file runs with TC39 standard decorators (they get a context object, not a key). */
const standard = (() => {
  let sawContext = false;
  const probe = (_target: unknown, keyOrContext: unknown) => {
    sawContext = typeof keyOrContext === 'object';
  };
  class Probe {
    @probe m() {}
  }
  void Probe;
  return sawContext;
})();

/** createKosha on an in-memory backend; without `entities` it maps every registered @entity. */
function start(entities?: EntityClass[]) {
  return createKosha({
    orm: new FakeBackend(),
    cache: false,
    setDefault: false,
    ...(entities && { entities }),
  });
}

@entity
class Receipt {
  @id() id!: number;
  @column({ type: 'integer' }) cents!: number;
}

describe('a mapped class without @entity fails createKosha with a MappingError', () => {
  it('@table without @entity, when createKosha maps the registered entities', async () => {
    @table('ledger_lines')
    class LedgerLine {
      @id() id!: number;
    }
    void LedgerLine;
    const error = await start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MappingError);
    expect((error as Error).message).toContain(
      'LedgerLine has @table but no @entity: add @entity to the class.',
    );
    // An explicit `entities` list maps that list: a class left out of it is not checked.
    const kosha = await start([Receipt]);
    expect(kosha.entities.map((m) => m.name)).toEqual(['Receipt']);
    await kosha.close();
  });

  it('@id and @column without @entity (and without @table) too; a mapped base class of an entity is fine', async () => {
    abstract class Stamped {
      @id() id!: number;
      @createdAt() createdAt!: Date;
    }
    @entity
    class Invoice extends Stamped {
      @column({ type: 'integer' }) cents!: number;
    }
    class Forgotten {
      @id() id!: number;
      @column({ type: 'string' }) label!: string;
    }
    void Forgotten;
    const error = await start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MappingError);
    const message = (error as Error).message;
    expect(message).toContain(
      standard
        ? 'A class with @id id, @column label has no @entity (TC39 property decorators are not told the class name): ' +
            'add @entity to it, or, if it is a base class, extend it with an @entity class.'
        : 'Forgotten has @id id, @column label but no @entity: ' +
            'add @entity to the class, or, if it is a base class, extend it with an @entity class.',
    );
    expect(message).toContain('LedgerLine has @table but no @entity'); // still there from the test above
    expect(message).not.toMatch(/Stamped|createdAt|Invoice|Receipt/);
    // Listed explicitly, a class without @entity is refused as before.
    await expect(start([Invoice, Forgotten])).rejects.toThrow(
      /Forgotten is not an entity: decorate it with @entity/,
    );
    const kosha = await start([Invoice]);
    expect(kosha.entities[0]!.properties.map((p) => p.name)).toEqual(['id', 'createdAt', 'cents']);
    await kosha.close();
  });
});
