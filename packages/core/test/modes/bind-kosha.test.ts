// bindKosha and isKoshaBound: an object bound to an instance (by bindKosha or by a repository's
// constructor) says so; one that is not, or inherits a bound prototype, does not.
import { bindKosha, column, DbRepo, entity, id, isKoshaBound, type Kosha } from '@kosha/core';
import { describe, expect, it } from 'vitest';
import { testKosha } from '../cache/harness.js';

@entity
class Pet {
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
}

class Pets extends DbRepo<Pet> {
  constructor(kosha?: Kosha) {
    super(Pet, kosha);
  }
}

describe('isKoshaBound', () => {
  it('is true for what bindKosha or a repository constructor bound, false otherwise', async () => {
    const { kosha } = await testKosha([Pet], false);
    const service = {};
    expect(isKoshaBound(service)).toBe(false);
    expect(bindKosha(service, kosha)).toBe(service);
    expect(isKoshaBound(service)).toBe(true);
    expect(isKoshaBound(Object.create(service))).toBe(false); // only its own binding counts
    expect(isKoshaBound(new Pets(kosha))).toBe(true);
    expect(isKoshaBound(bindKosha({}, () => kosha))).toBe(true);
    await kosha.close();
  });
});
