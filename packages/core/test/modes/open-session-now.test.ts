// kosha.openSessionNow: the session scope itself when opening it needs no wait (a backend that begins its
// transaction at the first statement notes it through Session.beginNow), a promise of it otherwise.
import { ConfigError, column, currentSession, entity, id, type Session } from '@kosha/core';
import { describe, expect, it } from 'vitest';
import { FakeBackend } from '../cache/fake-backend.js';
import { capturingLogger } from '../cache/harness.js';

@entity
class Thing {
  @id() id!: number;
  @column({ type: 'integer' }) n!: number;
}

/** FakeBackend whose sessions have `beginNow`, answering `answer`; counts the calls of each. */
class LazyBackend extends FakeBackend {
  answer = true;
  beginNowCalls = 0;
  beginCalls = 0;

  override openSession(): Session {
    const session = super.openSession();
    const begin = session.begin.bind(session);
    session.begin = (options) => {
      this.beginCalls++;
      return begin(options);
    };
    session.beginNow = (options) => {
      this.beginNowCalls++;
      if (!this.answer) return false;
      void begin(options); // the fake's begin does its work before its first await
      return true;
    };
    return session;
  }
}

async function open(orm: FakeBackend) {
  const { createKosha } = await import('@kosha/core');
  return createKosha({ orm, entities: [Thing], cache: false, logger: capturingLogger(), setDefault: false });
}

describe('kosha.openSessionNow', () => {
  it('gives the scope itself when the backend notes the transaction (beginNow true)', async () => {
    const orm = new LazyBackend();
    const kosha = await open(orm);
    const scope = kosha.openSessionNow({ transaction: true, isolation: 'SERIALIZABLE' });
    expect(scope).not.toBeInstanceOf(Promise);
    if (scope instanceof Promise) return;
    expect([orm.beginNowCalls, orm.beginCalls]).toEqual([1, 0]);
    expect(scope.active).toBe(true);
    const session = scope.run(() => currentSession(kosha));
    expect(session).toBeDefined();
    await scope.commit();
    await scope.close();
    expect(scope.active).toBe(false);
    await kosha.close();
  });

  it('gives a promise when beginNow declines, and then begins through begin()', async () => {
    const orm = new LazyBackend();
    orm.answer = false;
    const kosha = await open(orm);
    const opened = kosha.openSessionNow({ transaction: true });
    expect(opened).toBeInstanceOf(Promise);
    const scope = await opened;
    expect([orm.beginNowCalls, orm.beginCalls]).toEqual([1, 1]);
    expect(scope.active).toBe(true);
    await scope.close();
    await kosha.close();
  });

  it('without beginNow: a promise for a transaction, the scope itself for mode method (nothing to begin)', async () => {
    const kosha = await open(new FakeBackend());
    const opened = kosha.openSessionNow({ transaction: true });
    expect(opened).toBeInstanceOf(Promise);
    await (await opened).close();
    const plain = kosha.openSessionNow({ transaction: false });
    expect(plain).not.toBeInstanceOf(Promise);
    if (!(plain instanceof Promise)) await plain.close();
    await kosha.close();
  });

  it('a scope joined to a joinable one waits for its turn: a promise; a second joinable one is rejected, not thrown', async () => {
    const kosha = await open(new LazyBackend());
    const outer = await kosha.openSession({ transaction: true, joinable: true });
    const joined = kosha.openSessionNow({ transaction: true });
    expect(joined).toBeInstanceOf(Promise);
    await (await joined).close();
    const second = kosha.openSessionNow({ transaction: true, joinable: true });
    expect(second).toBeInstanceOf(Promise);
    await expect(second).rejects.toThrow(ConfigError);
    await outer.rollback();
    await outer.close();
    await kosha.close();
  });

  it('openSession keeps giving a promise, also when nothing needs waiting for', async () => {
    const kosha = await open(new LazyBackend());
    const opened = kosha.openSession({ transaction: true });
    expect(opened).toBeInstanceOf(Promise);
    await (await opened).close();
    await kosha.close();
  });
});
