// `@transactional @cacheable` with no transaction in progress: the cache is read before a transaction is
// begun, and only a miss begins one, whose load runs in it. A hit opens no session at all.
import {
  afterCommit,
  cacheable,
  cacheStats,
  column,
  DbRepo,
  entity,
  id,
  type Kosha,
  memoryCache,
  ScopeEndedError,
  transactional,
} from '@kosha/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { FakeBackend } from '../cache/fake-backend.js';
import { ControlledProvider, capturingLogger, gate, testKosha } from '../cache/harness.js';

@entity
class Item {
  @id() id!: number;
  @column({ type: 'integer' }) qty!: number;
}

let loads = 0;
let committedHooks = 0;
let conditionCalls = 0;

class Items extends DbRepo<Item> {
  constructor(kosha: Kosha) {
    super(Item, kosha);
  }

  @transactional
  @cacheable({ keyPrefix: 'item', ttl: 60 })
  async get(itemId: number) {
    loads++;
    afterCommit(() => {
      committedHooks++;
    });
    return this.getById(itemId);
  }

  @transactional({ propagation: 'REQUIRES_NEW' })
  @cacheable({ keyPrefix: 'item', ttl: 60 })
  async getNew(itemId: number) {
    loads++;
    return this.getById(itemId);
  }

  @transactional({ timeout: 5 })
  @cacheable({ keyPrefix: 'item', ttl: 60 })
  async getTimed(itemId: number) {
    loads++;
    return this.getById(itemId);
  }

  @transactional
  @cacheable({
    keyPrefix: 'item-if',
    ttl: 60,
    condition: (itemId: number) => {
      conditionCalls++;
      return itemId > 100;
    },
  })
  async getIf(itemId: number) {
    loads++;
    return this.getById(itemId);
  }
}

describe('@transactional @cacheable reads the cache before it begins a transaction', () => {
  let kosha: Kosha;
  let db: FakeBackend;
  let provider: ControlledProvider;
  let items: Items;
  let sessions: number;
  const logger = capturingLogger();

  beforeEach(async () => {
    provider = new ControlledProvider(undefined, memoryCache());
    logger.lines.length = 0;
    ({ kosha, db } = await testKosha([Item], provider, logger));
    const open = db.openSession.bind(db);
    sessions = 0;
    db.openSession = () => {
      sessions++;
      return open();
    };
    items = new Items(kosha);
    await items.insertAll([
      { id: 1, qty: 5 },
      { id: 200, qty: 7 },
    ]);
    loads = 0;
    committedHooks = 0;
    conditionCalls = 0;
    sessions = 0;
  });

  it('a hit opens no session and runs nothing; the miss before it ran in a transaction and cached after its commit', async () => {
    const first = await items.get(1);
    expect(first?.qty).toBe(5);
    expect(loads).toBe(1);
    expect(committedHooks).toBe(1); // the load ran inside the transaction: its afterCommit hook ran
    expect(sessions).toBe(1);
    expect(provider.calls.get).toBe(1); // the miss read the cache once, not once more inside the transaction
    expect(provider.calls.set).toBe(1);
    const hits = await Promise.all(Array.from({ length: 10 }, () => items.get(1)));
    expect(hits.every((h) => h instanceof Item && h.qty === 5)).toBe(true);
    expect(loads).toBe(1);
    expect(sessions).toBe(1);
    expect(db.reads).toBe(1);
    const stats = cacheStats(kosha);
    expect([stats.hits, stats.misses]).toEqual([10, 1]);
  });

  it('REQUIRES_NEW with no transaction in progress: a hit opens no session either', async () => {
    await items.getNew(1);
    sessions = 0;
    expect((await items.getNew(1))?.qty).toBe(5);
    expect(sessions).toBe(0);
    expect(loads).toBe(1);
  });

  it('with a timeout, the transaction times the whole call: the hit is read inside it', async () => {
    await items.getTimed(1);
    sessions = 0;
    expect((await items.getTimed(1))?.qty).toBe(5);
    expect(sessions).toBe(1);
    expect(loads).toBe(1);
  });

  it('condition is asked once per call; a call it excludes runs the method in a transaction', async () => {
    expect((await items.getIf(1))?.qty).toBe(5);
    expect(conditionCalls).toBe(1);
    expect(sessions).toBe(1);
    expect(provider.calls.get).toBe(0);
    await items.getIf(200);
    await items.getIf(200);
    expect(conditionCalls).toBe(3);
    expect(loads).toBe(2);
  });

  it('inside a transaction in progress the method joins it, and its hit is read there', async () => {
    await items.get(1);
    sessions = 0;
    await kosha.transaction(async () => {
      expect((await items.get(1))?.qty).toBe(5);
    });
    expect(sessions).toBe(1);
    expect(loads).toBe(1);
  });

  it('the once-per-method warning for a call with no session in context is still given', async () => {
    await items.get(1);
    await items.get(1);
    expect(logger.lines.filter((l) => l.includes('Items.get ran with no session'))).toHaveLength(1);
  });

  it('a session that ends while its miss is being read fails the call with ScopeEndedError: the method never runs', async () => {
    const held = gate();
    const inner = provider.inner;
    provider.inner = Object.assign(Object.create(inner), {
      get: async (key: string) => {
        await held.wait;
        return inner.get(key);
      },
    });
    const scope = await kosha.openSession({ transaction: false });
    const call = scope.run(() => items.get(1));
    await new Promise((r) => setTimeout(r, 5));
    await scope.close('its client went away');
    held.open();
    await expect(call).rejects.toBeInstanceOf(ScopeEndedError);
    await expect(call).rejects.toThrow(/its client went away/);
    expect(loads).toBe(0);
  });
});
