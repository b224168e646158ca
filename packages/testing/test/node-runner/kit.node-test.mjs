// The kit under node:test, with no vitest anywhere: the core API is runner-neutral.
// Plain JavaScript, so the decorators are applied by hand (what TypeScript emits for them).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { column, DbRepo, entity, id, table } from '@kosha/core';
import { createTestKosha, defineFactory } from '@kosha/testing';

class Pet {}
entity(Pet);
table('node_test_pet')(Pet);
id()(Pet.prototype, 'id');
column({ type: 'string', length: 50 })(Pet.prototype, 'name');

class PetRepo extends DbRepo {
  constructor() {
    super(Pet);
  }
}

describe('the kit under node:test', () => {
  let kit;
  before(async () => {
    kit = await createTestKosha({ entities: [Pet] });
  });
  after(() => kit.close());

  test('isolate rolls back what a test wrote', async () => {
    await kit.isolate(async () => {
      await kit.load(Pet, [{ name: 'Rex' }, { name: 'Tom' }]);
      assert.equal(await new PetRepo().count(), 2);
    });
    assert.equal(await new PetRepo().count(), 0);
  });

  test('factories create rows', async () => {
    const pets = defineFactory(Pet, (i) => ({ name: `Pet ${i}` }));
    await kit.isolate(async () => {
      const made = await pets.create(3);
      assert.deepEqual(
        made.map((p) => p.name),
        ['Pet 1', 'Pet 2', 'Pet 3'],
      );
    });
  });

  test('reset empties committed tables', async () => {
    await kit.load(Pet, [{ name: 'Committed' }]);
    assert.equal(await new PetRepo().count(), 1);
    await kit.reset();
    assert.equal(await new PetRepo().count(), 0);
  });
});
