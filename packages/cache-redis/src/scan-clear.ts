import { escapeGlob } from './glob-escape.js';
import type { RedisLike } from './redis-like.js';

/** Wraps one round trip of a scan (to bound it in time). */
type Step = <T>(roundTrip: Promise<T>) => Promise<T>;

/**
 * Deletes every key that starts with `prefix` on every master node, without `KEYS` and without ever
 * blocking Redis: `SCAN` in steps of `count`, then `UNLINK` in batches of `count` (their memory is
 * reclaimed off Redis's main thread), one command at a time. Returns how many keys were deleted.
 *
 * Keys found are deleted once up to `100 × count` have been collected rather than after each step:
 * the same load on Redis, and a `SCAN` whose cursor is an index into the live keyspace (ioredis-mock)
 * does not skip keys that moved up while it ran. When more than that matched, keys were deleted while
 * the scan ran, and such a `SCAN` may have skipped some: another pass follows, until one deletes
 * nothing mid-scan (on Redis, whose `SCAN` skips nothing, that is one extra walk that finds nothing).
 *
 * `step` wraps each round trip (the caller bounds it in time); by default it changes nothing.
 */
export async function scanClear(
  client: RedisLike,
  prefix: string,
  count: number,
  step: Step = (p) => p,
): Promise<number> {
  const pattern = `${escapeGlob(prefix)}*`;
  const cluster = client.isCluster === true && client.nodes !== undefined;
  const nodes = cluster ? client.nodes!('master') : [client];
  let deleted = 0;
  for (const node of nodes) {
    let midScan: boolean;
    do {
      midScan = false;
      let found: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await step(node.scan(cursor, 'MATCH', pattern, 'COUNT', count));
        // The pattern narrows on the server; this check is what guarantees nothing else is touched.
        for (const k of keys) if (k.startsWith(prefix)) found.push(k);
        if (found.length >= 100 * count) {
          deleted += await unlinkAll(node, found, count, cluster, step);
          found = [];
          midScan = true;
        }
        cursor = String(next);
      } while (cursor !== '0');
      deleted += await unlinkAll(node, found, count, cluster, step);
    } while (midScan);
  }
  return deleted;
}

/** UNLINKs keys of one node in batches; on a Cluster one key per command, as keys of several slots are refused together. */
async function unlinkAll(
  node: RedisLike,
  keys: string[],
  batch: number,
  cluster: boolean,
  step: Step,
): Promise<number> {
  let n = 0;
  for (let i = 0; i < keys.length; i += batch) {
    const part = keys.slice(i, i + batch);
    n += cluster
      ? (await step(Promise.all(part.map((k) => node.unlink(k))))).reduce((a, b) => a + b, 0)
      : await step(node.unlink(...part));
  }
  return n;
}
