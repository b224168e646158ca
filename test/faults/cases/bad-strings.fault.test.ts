// Strings a database would not store as given, on SQLite, the shared PostgreSQL and the shared MariaDB
// (each in a scratch database of its own): a lone UTF-16 surrogate is refused before any SQL on every
// database; a NUL byte is refused on PostgreSQL (kind invalid_data, the instance keeps serving) and is
// whatever the database makes of it elsewhere, never a lost connection; astral characters round-trip.
// On the server databases the instance goes through a proxy, which witnesses that no refused value
// ever reaches the wire: the refused values carry a marker, and a rule resets the link if it sees it.

import { realService, scratchDatabase } from '@kosha/conformance';
import { DatabaseError, InvalidArgumentError, type Kosha } from '@kosha/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClientDataRule,
  figure,
  type MariadbScratch,
  mariadbAvailable,
  mariadbScratch,
  mariadbThroughProxy,
  startProxy,
  type TcpProxy,
  within,
} from '../support/index.js';
import { leaked, openApp, type RowRepo, timed, tokens } from './app.js';

const pgAdminUrl = await realService('postgresql');
const haveMariadb = await mariadbAvailable();

/** In every value that must never be sent; the proxy resets any link that carries it. */
const MARK = 'qxrefusedqx';

type Dialect = 'sqlite' | 'postgresql' | 'mariadb';

/** One database under test: the instance, and how to read what it stored without it. */
interface Target {
  readonly kosha: Kosha;
  readonly rows: RowRepo;
  /** `[sql] …` lines the instance logged (`debug: true`), in order. */
  readonly statements: string[];
  /** The proxy between the instance and the server; `undefined` for SQLite (no wire). */
  readonly wire: TcpProxy | undefined;
  /** Tokens starting with `prefix`, read over a direct connection (SQLite: through the instance). */
  stored(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}

/** Opens the instance with a statement log (and, on a server, behind a proxy). */
async function openTarget(dialect: Dialect): Promise<Target> {
  let url = 'sqlite::memory:';
  let adminUrl: string | undefined;
  let wire: TcpProxy | undefined;
  let scratch: { drop(): Promise<void> } | undefined;
  if (dialect === 'postgresql') {
    const db = await scratchDatabase(pgAdminUrl!);
    scratch = db;
    adminUrl = db.url;
    const port = Number(new URL(db.url).port || 5432);
    wire = await startProxy({ targetPort: port });
    const through = new URL(db.url);
    through.port = String(wire.port);
    url = through.toString();
  } else if (dialect === 'mariadb') {
    const db: MariadbScratch = await mariadbScratch();
    scratch = db;
    adminUrl = db.url;
    wire = await startProxy({ targetPort: Number(new URL(db.url).port || 3306) });
    url = mariadbThroughProxy(wire.port, db.name);
  }
  const { kosha, rows, logger } = await openApp(url, { debug: true, pool: { max: 3 } }, adminUrl ?? url);
  const statements: string[] = [];
  logger.debug = (message: string) => {
    if (message.startsWith('[sql] ')) statements.push(message);
  };
  return {
    kosha,
    rows,
    statements,
    wire,
    async stored(prefix) {
      if (adminUrl) return tokens(adminUrl, prefix);
      return (await rows.getAll(0, 1000)).map((r) => r.token).filter((t) => t.startsWith(prefix));
    },
    async close() {
      await kosha.close();
      await wire?.close();
      await scratch?.drop();
    },
  };
}

/** Runs `op`, which must fail; returns the error and the statements it logged that did not fail. */
async function refused(
  t: Target,
  op: () => Promise<unknown>,
): Promise<{ error: unknown; ran: string[]; ms: number }> {
  const from = t.statements.length;
  const r = await timed(() => within(op(), 10_000, 'a call with a refused value'));
  // The statements that could carry the value: writes, and reads by token (an update first loads its
  // entity by id, a new connection asks for the version; begin/rollback are bookkeeping). The log has
  // placeholders, not values; a statement refused before SQL is logged as failed.
  const ran = t.statements
    .slice(from)
    .filter(
      (s) =>
        /^\[sql\] (insert|update|delete)\b|^\[sql\] select\b.*\btoken\b/i.test(s) && !/failed\]$/.test(s),
    );
  expect(r.error, 'the call must fail').toBeDefined();
  return { error: r.error, ran, ms: r.ms };
}

const expectLoneSurrogate = (error: unknown) => {
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect((error as InvalidArgumentError).code).toBe('KOSHA_INVALID_ARGUMENT');
  expect((error as Error).message).toMatch(/lone UTF-16 surrogate/);
};

const expectNulRefused = (error: unknown) => {
  expect(error).toBeInstanceOf(DatabaseError);
  expect((error as DatabaseError).kind).toBe('invalid_data');
  expect((error as Error).message).toMatch(/NUL/);
};

// Astral characters (4 bytes in UTF-8, a surrogate pair in UTF-16), a ZWJ sequence and a flag.
const ASTRAL = ['😀 grin', '𝄞 clef', '𠜎 ext-b', '👩‍👩‍👧 family', '🇮🇳 flag', 'é, ß and 😀𝄞𠜎'];

function badStringCases(dialect: Dialect, label: string): void {
  describe(`bad strings on ${label}`, () => {
    let t: Target;
    let rule: ClientDataRule | undefined;
    const facts: Record<string, number | string | boolean> = {};

    beforeAll(async () => {
      t = await openTarget(dialect);
      rule = t.wire?.onClientData(new RegExp(MARK), 'reset-before');
    });
    afterAll(async () => {
      rule?.remove();
      await t?.close();
    });

    it('a lone surrogate through save, insertAll, findByField and update: InvalidArgumentError, no statement sent', async () => {
      const { rows } = t;
      const outcomes = [
        await refused(t, () => rows.save(`${MARK}-save-a\uD800b`)),
        await refused(t, () => rows.save(`${MARK}-low-\uDC00z`)),
        await refused(t, () => rows.save(`${MARK}-end-\uD83D`)),
        await refused(t, () =>
          rows.insertAll([{ token: 'bsbatch-good' }, { token: `${MARK}-batch-a\uD800b` }]),
        ),
        await refused(t, () => rows.findByField('token', `${MARK}-find-a\uD800b`)),
        await refused(t, () => rows.findAllByField('token', `${MARK}-findall-a\uD800b`)),
      ];
      const before = await within(rows.save('bsupd-lone'), 5_000, 'a save');
      before.token = `${MARK}-upd-a\uD800b`;
      outcomes.push(await refused(t, () => rows.update(before)));
      for (const o of outcomes) {
        expectLoneSurrogate(o.error);
        expect(o.ran).toEqual([]);
      }
      // Nothing of a refused batch is stored (its good half included), and the update changed nothing.
      expect(await t.stored(MARK)).toEqual([]);
      expect(await t.stored('bsbatch-good')).toEqual([]);
      expect(await t.stored('bsupd-lone')).toEqual(['bsupd-lone']);
      // Not one byte of a refused value reached the server.
      expect(rule?.fired ?? 0).toBe(0);
      expect(leaked(t.kosha)).toBe(0);
      if (t.wire) {
        // The witness is not blind: a marked value that is sent trips it (the link is reset).
        const control = t.wire.onClientData(/qxcontrolqx/, 'reset-before', { once: true });
        const sent = await timed(() => within(rows.save('qxcontrolqx-sent'), 10_000, 'a marked save'));
        control.remove();
        expect(control.fired).toBe(1);
        expect(sent.error).toBeInstanceOf(DatabaseError);
        expect((sent.error as DatabaseError).kind).toBe('connection');
        await within(rows.save('bsafter-control'), 5_000, 'a save after the control');
        expect(await t.stored('qxcontrolqx')).toEqual([]);
      }
      facts.loneSurrogateRefused = outcomes.length;
      facts.sentOnWire = rule?.fired ?? 0;
      facts.worstRefusalMs = Math.max(...outcomes.map((o) => o.ms));
    });

    if (dialect === 'postgresql') {
      it('a NUL byte: DatabaseError invalid_data before any SQL, and the instance keeps serving', async () => {
        const { rows } = t;
        const outcomes = [
          await refused(t, () => rows.save(`${MARK}-nul-a\u0000b`)),
          await refused(t, () => rows.insertAll([{ token: `${MARK}-nulbatch-\u0000` }])),
          await refused(t, () => rows.findByField('token', `${MARK}-nulfind-a\u0000b`)),
        ];
        const before = await within(rows.save('bsupd-nul'), 5_000, 'a save');
        before.token = `${MARK}-nulupd-a\u0000b`;
        outcomes.push(await refused(t, () => rows.update(before)));
        for (const o of outcomes) {
          expectNulRefused(o.error);
          expect(o.error).not.toBeInstanceOf(InvalidArgumentError);
          expect(o.ran).toEqual([]);
        }
        expect(rule?.fired).toBe(0);
        expect(await t.stored(MARK)).toEqual([]);
        expect(await t.stored('bsupd-nul')).toEqual(['bsupd-nul']);
        // The same instance serves on: nothing was destroyed, nothing leaked.
        const links = t.wire!.links;
        const again = await timed(() => within(rows.save('bsafter-nul'), 5_000, 'a save after the NULs'));
        expect(again.error).toBeUndefined();
        expect(await t.stored('bsafter-nul')).toEqual(['bsafter-nul']);
        expect(leaked(t.kosha)).toBe(0);
        expect(t.wire!.links).toBeGreaterThanOrEqual(links);
        facts.nul = 'refused:invalid_data';
        facts.nulRefused = outcomes.length;
        facts.recoverMs = again.ms;
      });
    } else if (dialect === 'mariadb') {
      it('a NUL byte: stored as is, found by its value, updated, and the instance keeps serving', async () => {
        const { rows } = t;
        const value = 'bsnul-a\u0000b';
        const saved = await within(rows.save(value), 5_000, 'a save with a NUL');
        expect(saved.token).toBe(value);
        expect(await t.stored('bsnul-a')).toEqual([value]);
        const found = await within(rows.findByField('token', value), 5_000, 'a lookup with a NUL');
        expect(found?.id).toBe(saved.id);
        expect(found?.token).toBe(value);
        await within(rows.insertAll([{ token: 'bsnul-batch-\u0000\u0000' }]), 5_000, 'insertAll with NULs');
        expect(await t.stored('bsnul-batch-')).toEqual(['bsnul-batch-\u0000\u0000']);
        found!.token = 'bsnul-x\u0000y';
        await within(rows.update(found!), 5_000, 'an update with a NUL');
        expect(await t.stored('bsnul-x')).toEqual(['bsnul-x\u0000y']);
        expect((await rows.getById(saved.id))?.token).toBe('bsnul-x\u0000y');
        const again = await timed(() => within(rows.save('bsafter-nul'), 5_000, 'a save after the NULs'));
        expect(again.error).toBeUndefined();
        expect(leaked(t.kosha)).toBe(0);
        facts.nul = 'stored';
        facts.recoverMs = again.ms;
      });
    } else {
      it('a NUL byte: stored as is by inserts and updates; a lookup with one fails, never as a lost connection', async () => {
        const { rows } = t;
        const value = 'bsnul-a\u0000b';
        // Inserts bind their values: the NUL is stored and read back as is.
        const saved = await within(rows.save(value), 5_000, 'a save with a NUL');
        expect((await rows.getById(saved.id))?.token).toBe(value);
        await within(rows.insertAll([{ token: 'bsnul-batch-\u0000\u0000' }]), 5_000, 'insertAll with NULs');
        expect(await t.stored('bsnul-batch-')).toEqual(['bsnul-batch-\u0000\u0000']);
        // A lookup carries the value inside the SQL text (MikroORM inlines it), where SQLite's parser
        // would stop at the NUL: Kosha refuses it before any SQL, as invalid_data.
        const lookup = await refused(t, () => rows.findByField('token', value));
        expect(lookup.error).toBeInstanceOf(DatabaseError);
        expect((lookup.error as DatabaseError).kind).not.toBe('connection');
        expect((lookup.error as DatabaseError).kind).toBe('invalid_data');
        expect((await rows.getById(saved.id))?.token).toBe(value);
        // A change to a loaded entity is a compiled UPDATE, its values bound like an insert's.
        const before = (await rows.getById(saved.id))!;
        before.token = 'bsnul-x\u0000y';
        await within(rows.update(before), 5_000, 'an update with a NUL');
        expect((await rows.getById(saved.id))?.token).toBe('bsnul-x\u0000y');
        const again = await timed(() => within(rows.save('bsafter-nul'), 5_000, 'a save after the NULs'));
        expect(again.error).toBeUndefined();
        facts.nul = 'stored-by-insert';
        facts.nulLookupKind = (lookup.error as DatabaseError).kind;
        facts.nulUpdate = 'stored';
        facts.recoverMs = again.ms;
      });
    }

    it('astral characters round-trip unchanged through save, insertAll, findByField and update', async () => {
      const { rows } = t;
      const values = ASTRAL.map((s, i) => `bsastral-${i}-${s}`);
      const first = await within(rows.save(values[0]!), 5_000, 'a save');
      expect(first.token).toBe(values[0]);
      const batch = await within(
        rows.insertAll(values.slice(1).map((token) => ({ token }))),
        5_000,
        'insertAll',
      );
      expect(batch.map((r) => r.token)).toEqual(values.slice(1));
      expect((await t.stored('bsastral-')).sort()).toEqual([...values].sort());
      for (const [i, value] of values.entries()) {
        const found = await within(rows.findByField('token', value), 5_000, 'a lookup');
        expect(found?.token).toBe(value);
        expect([...found!.token]).toHaveLength([...value].length);
        if (i === 0) expect(found?.id).toBe(first.id);
      }
      first.token = 'bsastral-upd-𝌆 tetragram';
      await within(rows.update(first), 5_000, 'an update');
      expect((await rows.getById(first.id))?.token).toBe('bsastral-upd-𝌆 tetragram');
      expect(await t.stored('bsastral-upd-')).toEqual(['bsastral-upd-𝌆 tetragram']);
      // Two values that differ only in one astral character: the lookup of each must find that one.
      const [grin, clef] = [`bspair-😀`, `bspair-𝄞`];
      const saved = await within(rows.insertAll([{ token: grin }, { token: clef }]), 5_000, 'insertAll');
      const matches = await within(rows.findAllByField('token', clef), 5_000, 'a lookup');
      const exact = matches.length === 1 && matches[0]!.id === saved[1]!.id;
      if (dialect === 'mariadb') {
        // MariaDB's default utf8mb4_general_ci (what the table gets: the schema names no collation) weighs
        // every character beyond the BMP alike, so '😀' = '𝄞': the lookup finds both rows. Stored values
        // are exact all the same.
        expect(matches.map((r) => r.id)).toContain(saved[1]!.id);
      } else {
        expect(exact).toBe(true);
      }
      expect(rule?.fired ?? 0).toBe(0);
      expect(leaked(t.kosha)).toBe(0);
      facts.astralRoundTrip = true;
      facts.astralLookupExact = exact;
      facts.leaked = leaked(t.kosha);
      figure(`bad strings on ${label}`, facts);
    });
  });
}

badStringCases('sqlite', 'SQLite');
if (pgAdminUrl) badStringCases('postgresql', 'PostgreSQL');
if (haveMariadb) badStringCases('mariadb', 'MariaDB');
