import { type CacheProvider, createKosha, type EntityClass, type Kosha, type Logger } from '@kosha/core';
import { FakeBackend } from './fake-backend.js';

/** A logger that keeps what was logged at warn and error, as `warn: …` / `error: …` lines. */
export function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug() {},
    info() {},
    warn: (m: string) => void lines.push(`warn: ${m}`),
    error: (m: string) => void lines.push(`error: ${m}`),
  };
}

/**
 * A Kosha instance on an in-memory {@link FakeBackend} with the provider under test as its cache (not the
 * process default): for a provider's end-to-end tests of `@cacheable` and friends, with no database.
 * `db.reads` counts what reached the "database"; `db.committed` holds its rows.
 *
 * ```ts
 * const { kosha, db } = await cacheHarness([Item], redisCache({ url }));
 * ```
 */
export async function cacheHarness(
  entities: EntityClass[],
  cache: CacheProvider | false,
  logger: Logger = capturingLogger(),
): Promise<{ kosha: Kosha; db: FakeBackend }> {
  const db = new FakeBackend();
  const kosha = await createKosha({ orm: db, cache, entities, logger, setDefault: false });
  return { kosha, db };
}
