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

  it('refuses a database URL without a scheme and never shows its password', async () => {
    const error = await loadConfig({ env: { DATABASE_URL: 'app:hunter2@localhost/db' } }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/DATABASE_URL/);
    expect(error.message).not.toMatch(/hunter2/);
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
      ),
      fc
        .tuple(
          fc.constantFrom(
            'url',
            'pool_size',
            'max_overflow',
            'echo',
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
