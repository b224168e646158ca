import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CacheConfig, ConfigError, createKosha, loadConfig } from '@kosha/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

async function ini(text: string) {
  const dir = await mkdtemp(join(tmpdir(), 'kosha-config-'));
  const file = join(dir, 'config.ini');
  await writeFile(file, text);
  return file;
}

describe('loadConfig', () => {
  it('defaults to the embedded SQLite database and the in-memory cache', async () => {
    const c = await loadConfig({ env: {} });
    expect(c.orm.url).toBe('sqlite::memory:');
    expect(c.orm.pool).toEqual({ min: 0, max: 15 });
    expect(c.cache).toMatchObject({ url: 'memory:', enabled: true, defaultTtl: 3600 });
  });

  it("reads the seed's config.ini format", async () => {
    const file = await ini(
      '[database]\nurl = postgresql://app:s3cret@db:5432/app\npool_size = 4\nmax_overflow = 6\necho = true\n\n[cache]\nurl = redis://cache:6379/2\nenabled = false\n',
    );
    const c = await loadConfig({ file, env: {} });
    expect(c.orm).toEqual({
      url: 'postgresql://app:s3cret@db:5432/app',
      pool: { min: 0, max: 10 },
      debug: true,
    });
    expect(c.cache).toMatchObject({ url: 'redis://cache:6379/2', enabled: false });
  });

  it('lets environment variables override the file', async () => {
    const file = await ini('[database]\nurl = sqlite:file.db\n[cache]\nurl = memory:\n');
    const c = await loadConfig({
      file,
      env: {
        DATABASE_URL: 'postgresql://x@h/db',
        KOSHA_CACHE_URL: 'redis://r:6379/0',
        KOSHA_DATABASE_POOL_SIZE: '2',
      },
    });
    expect(c.orm.url).toBe('postgresql://x@h/db');
    expect(c.orm.pool?.max).toBe(12);
    expect((c.cache as CacheConfig).url).toBe('redis://r:6379/0');
  });

  it('prefers the KOSHA_ variable over the generic one', async () => {
    const c = await loadConfig({
      env: { DATABASE_URL: 'sqlite:a.db', KOSHA_DATABASE_URL: 'sqlite:b.db', REDIS_URL: 'redis://x' },
    });
    expect(c.orm.url).toBe('sqlite:b.db');
    expect((c.cache as CacheConfig).url).toBe('redis://x');
  });

  it('names an unknown key and lists the known ones', async () => {
    const file = await ini('[database]\npool_sise = 3\n');
    const error = await loadConfig({ file, env: {} }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/pool_sise/);
    expect(error.message).toMatch(/pool_size/);
  });

  it('treats keys and sections named like Object members as unknown (found by the fuzz test)', async () => {
    for (const text of [
      '[database]\nvalueOf = 1\n',
      '[database]\nconstructor = x\n',
      '[constructor]\nurl = x\n',
      '[toString]\n',
    ]) {
      const error = await loadConfig({ file: await ini(text), env: {} }).catch((e) => e);
      expect(error, text).toBeInstanceOf(ConfigError);
    }
  });

  it('names an unknown section', async () => {
    const error = await loadConfig({ file: await ini('[databse]\nurl = sqlite::memory:\n'), env: {} }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/\[databse\]/);
  });

  it('refuses a malformed value, naming the key and where it came from', async () => {
    const error = await loadConfig({ env: { KOSHA_DATABASE_POOL_SIZE: 'lots' } }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/KOSHA_DATABASE_POOL_SIZE/);
    const bad = await loadConfig({ file: await ini('[cache]\nenabled = maybe\n'), env: {} }).catch((e) => e);
    expect(bad.message).toMatch(/\[cache\] enabled/);
  });

  it('any pool_size either loads as a whole number from 1 to 1000000 or fails naming the key (property)', async () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer({ min: -5, max: 1_000_005 }).map(String),
      fc.double({ noNaN: true }).map(String),
      fc.constantFrom('0', '1', '1000000', '1000001', ' 7 ', '2.5', '1e3', 'Infinity', 'NaN', ''),
    );
    await fc.assert(
      fc.asyncProperty(value, async (raw) => {
        try {
          const c = await loadConfig({ env: { KOSHA_DATABASE_POOL_SIZE: raw } });
          if (raw === '') return; // an empty variable is unset
          const size = (c.orm.pool?.max ?? 0) - 10; // max = pool_size + max_overflow (default 10)
          expect(size).toBe(Number(raw));
          expect(Number.isInteger(size) && size >= 1 && size <= 1_000_000).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as Error).message).toContain(
            'env KOSHA_DATABASE_POOL_SIZE must be a whole number ≥ 1',
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a database URL without a scheme and never shows its password', async () => {
    const error = await loadConfig({ env: { DATABASE_URL: 'app:hunter2@localhost/db' } }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/DATABASE_URL/);
    expect(error.message).not.toMatch(/hunter2/);
  });

  describe('timeouts', () => {
    it('reads acquire_timeout and statement_timeout from config.ini, in seconds', async () => {
      const file = await ini('[database]\nacquire_timeout = 2.5\nstatement_timeout = 30\n');
      const c = await loadConfig({ file, env: {} });
      expect(c.orm.pool).toEqual({ min: 0, max: 15, acquireTimeout: 2.5 });
      expect(c.orm.statementTimeout).toBe(30);
    });

    it('reads them from the environment', async () => {
      const c = await loadConfig({
        env: { KOSHA_DATABASE_ACQUIRE_TIMEOUT: '0.25', KOSHA_DATABASE_STATEMENT_TIMEOUT: ' 5 ' },
      });
      expect(c.orm.pool?.acquireTimeout).toBe(0.25);
      expect(c.orm.statementTimeout).toBe(5);
    });

    it('lets the environment win over the file', async () => {
      const file = await ini('[database]\nacquire_timeout = 20\nstatement_timeout = 60\n');
      const c = await loadConfig({
        file,
        env: { KOSHA_DATABASE_ACQUIRE_TIMEOUT: '3', KOSHA_DATABASE_STATEMENT_TIMEOUT: '1.5' },
      });
      expect(c.orm.pool?.acquireTimeout).toBe(3);
      expect(c.orm.statementTimeout).toBe(1.5);
      // An empty variable is unset, as for the other keys: the file's value stays.
      const kept = await loadConfig({ file, env: { KOSHA_DATABASE_ACQUIRE_TIMEOUT: '' } });
      expect(kept.orm.pool?.acquireTimeout).toBe(20);
    });

    it('leaves them out when unset, so the backend defaults apply', async () => {
      for (const c of [
        await loadConfig({ env: {} }),
        await loadConfig({ file: await ini('[database]\nurl = sqlite::memory:\npool_size = 2\n'), env: {} }),
      ]) {
        expect(c.orm.pool).not.toHaveProperty('acquireTimeout');
        expect(c.orm).not.toHaveProperty('statementTimeout');
      }
    });

    it.each(['0', '-1', '', 'ten', '10s', '1e3', '0x10', 'Infinity', 'NaN', '0.0004', '1000001', '1,5'])(
      'refuses %j in the file, naming the key, the file and the fix',
      async (value) => {
        for (const key of ['acquire_timeout', 'statement_timeout']) {
          const file = await ini(`[database]\n${key} = ${value}\n`);
          const error = await loadConfig({ file, env: {} }).catch((e) => e);
          expect(error, key).toBeInstanceOf(ConfigError);
          expect(error.message).toContain(`[database] ${key} in ${file}`);
          expect(error.message).toMatch(/number of seconds/);
          expect(error.message).toMatch(/remove it for/);
        }
      },
    );

    it.each(['0', '-2.5', 'ten', '1e3', 'Infinity', '1000001'])(
      'refuses %j in the environment, naming the variable',
      async (value) => {
        for (const name of ['KOSHA_DATABASE_ACQUIRE_TIMEOUT', 'KOSHA_DATABASE_STATEMENT_TIMEOUT']) {
          const error = await loadConfig({ env: { [name]: value } }).catch((e) => e);
          expect(error, name).toBeInstanceOf(ConfigError);
          expect(error.message).toContain(`env ${name} must be a number of seconds`);
          expect(error.message).toContain(JSON.stringify(value));
        }
      },
    );

    it('says what removing the key gives', async () => {
      const acquire = await loadConfig({ env: { KOSHA_DATABASE_ACQUIRE_TIMEOUT: 'x' } }).catch((e) => e);
      expect(acquire.message).toMatch(/default \(10 s\)/);
      const statement = await loadConfig({ env: { KOSHA_DATABASE_STATEMENT_TIMEOUT: 'x' } }).catch((e) => e);
      expect(statement.message).toMatch(/no limit/);
    });

    it('any value either loads as seconds in range or fails with a ConfigError (property)', async () => {
      const value = fc.oneof(
        fc.string(),
        fc.double({ noNaN: true }).map(String),
        fc.double({ min: 0.001, max: 1_000_000, noNaN: true }).map((n) => n.toFixed(3)),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('KOSHA_DATABASE_ACQUIRE_TIMEOUT', 'KOSHA_DATABASE_STATEMENT_TIMEOUT'),
          value,
          async (name, raw) => {
            try {
              const c = await loadConfig({ env: { [name]: raw } });
              const got =
                name === 'KOSHA_DATABASE_ACQUIRE_TIMEOUT'
                  ? c.orm.pool?.acquireTimeout
                  : c.orm.statementTimeout;
              if (raw.trim() === '') {
                expect(got).toBeUndefined();
              } else {
                expect(got).toBe(Number(raw));
                expect(got).toBeGreaterThanOrEqual(0.001);
                expect(got).toBeLessThanOrEqual(1_000_000);
              }
            } catch (error) {
              expect(error).toBeInstanceOf(ConfigError);
            }
          },
        ),
        { numRuns: 300 },
      );
    });

    it('every decimal from 0.001 to 1000000 loads as that many seconds, from file or env (property)', async () => {
      const decimal = fc
        .tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 999 }))
        .filter(([whole, thousandths]) => whole * 1000 + thousandths >= 1 && whole < 1_000_000)
        .map(([whole, thousandths]) => `${whole}.${String(thousandths).padStart(3, '0')}`);
      await fc.assert(
        fc.asyncProperty(decimal, decimal, fc.boolean(), async (acquire, statement, viaEnv) => {
          const c = viaEnv
            ? await loadConfig({
                env: { KOSHA_DATABASE_ACQUIRE_TIMEOUT: acquire, KOSHA_DATABASE_STATEMENT_TIMEOUT: statement },
              })
            : await loadConfig({
                file: await ini(
                  `[database]\nacquire_timeout = ${acquire}\nstatement_timeout = ${statement}\n`,
                ),
                env: {},
              });
          expect(c.orm.pool?.acquireTimeout).toBe(Number(acquire));
          expect(c.orm.statementTimeout).toBe(Number(statement));
        }),
        { numRuns: 100 },
      );
    });
  });

  it('a missing config file is a ConfigError naming it', async () => {
    const error = await loadConfig({ file: '/nonexistent/config.ini', env: {} }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/\/nonexistent\/config\.ini/);
  });

  it('any config.ini text either loads or fails with a ConfigError (fuzz)', async () => {
    const line = fc.oneof(
      fc.constantFrom(
        '[database]',
        '[cache]',
        '[log]',
        '[other]',
        'url = sqlite::memory:',
        'echo = yes',
        'pool_size = 0',
        'acquire_timeout = 2.5',
        'statement_timeout = 0',
      ),
      fc
        .tuple(
          fc.constantFrom(
            'url',
            'pool_size',
            'max_overflow',
            'echo',
            'acquire_timeout',
            'statement_timeout',
            'enabled',
            'default_ttl',
            'level',
            'x',
            'valueOf',
            'constructor',
            'toString',
          ),
          fc.string(),
        )
        .map(([k, v]) => `${k} = ${v}`),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 12 }), async (lines) => {
        const file = await ini(lines.join('\n'));
        try {
          const c = await loadConfig({ file, env: {} });
          expect(typeof c.orm.url).toBe('string');
          for (const t of [c.orm.pool?.acquireTimeout, c.orm.statementTimeout]) {
            if (t !== undefined) expect(t > 0 && Number.isFinite(t)).toBe(true);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('createKosha configuration errors', () => {
  it('an unknown database scheme names the schemes available', async () => {
    const error = await createKosha({ orm: { url: 'oracle://u:topsecret@h/db' }, entities: [] }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/oracle/);
    expect(error.message).not.toMatch(/topsecret/);
  });

  it('a URL without a scheme is refused, redacted', async () => {
    const error = await createKosha({ orm: { url: 'u:topsecret@h' }, entities: [] }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).not.toMatch(/topsecret/);
  });

  it('no orm at all says what to pass', async () => {
    const error = await createKosha({} as never).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/mikroOrm/);
  });
});
