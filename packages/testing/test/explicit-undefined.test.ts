import { getKosha } from '@kosha/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestKosha, defineFactory, type TestKit } from '../src/index.js';
import { Author, Book } from './modes/kit-entities.js';

// Under `exactOptionalPropertyTypes` the kit's options are typed `?: T | undefined`, so that
// `createTestKosha({ entities, url: process.env.DATABASE_URL })` compiles: an option given as
// `undefined` must then be the option left out.

const kits: TestKit[] = [];
afterAll(async () => {
  for (const kit of kits) await kit.close();
});

describe('the test kit, options given as undefined', () => {
  it('createTestKosha: SQLite in memory, ioredis-mock, the default instance', async () => {
    const kit = await createTestKosha({
      entities: [Author, Book],
      url: undefined,
      cache: undefined,
      logger: undefined,
      logLevel: undefined,
      setDefault: undefined,
    });
    kits.push(kit);
    expect(kit.kosha.orm.dialect).toBe('sqlite');
    expect(kit.kosha.cache?.name).toBe('redis');
    expect(getKosha()).toBe(kit.kosha);
  });

  it('a factory override given as undefined keeps the default, as a missing one does', async () => {
    const kit = await createTestKosha({ entities: [Author, Book], setDefault: false });
    kits.push(kit);
    const authors = defineFactory(Author, (i) => ({ name: `Author ${i}`, email: `author${i}@example.com` }), {
      kosha: kit.kosha,
    });
    expect(await authors.build({ name: undefined })).toEqual({
      name: 'Author 1',
      email: 'author1@example.com',
    });
    const saved = await authors.createOne({ name: undefined, email: 'given@example.com' });
    expect([saved.name, saved.email]).toEqual(['Author 2', 'given@example.com']);
  });
});
