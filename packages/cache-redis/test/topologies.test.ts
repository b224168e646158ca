import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { redisCache } from '@kosha/cache-redis';
import { cacheConformance } from '@kosha/conformance';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import {
  freePort,
  hasRedisServer,
  type RedisProcess,
  scratchDir,
  startRedis,
  writeConfig,
} from './redis-process.js';

const available = hasRedisServer();
const prefix = () => `kosha-${randomBytes(5).toString('hex')}`;

describe.skipIf(!available)('Redis Cluster (three masters started by this test)', () => {
  const nodes: RedisProcess[] = [];
  beforeAll(async () => {
    const dir = scratchDir();
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      nodes.push(
        await startRedis(
          [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `${dir}/nodes-${port}.conf`,
            '--cluster-node-timeout',
            '2000',
            '--dir',
            dir,
          ],
          port,
        ),
      );
    }
    execFileSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 20_000;
    while (
      !execFileSync('redis-cli', ['-p', String(nodes[0]!.port), 'cluster', 'info'])
        .toString()
        .includes('cluster_state:ok')
    ) {
      if (Date.now() > deadline) throw new Error('the test cluster did not become ready');
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 60_000);
  afterAll(async () => {
    for (const n of nodes) await n.stop();
  });

  const seeds = () => nodes.map((n) => `127.0.0.1:${n.port}`);
  cacheConformance(
    test,
    () => redisCache({ cluster: { nodes: seeds() }, keyPrefix: prefix(), commandTimeout: 1000 }),
    {
      name: 'redis cluster',
      numRuns: 15,
    },
  );

  it('evicts a prefix on every master', async () => {
    const c = redisCache({ cluster: { nodes: seeds() }, keyPrefix: prefix(), scanCount: 50 });
    try {
      const keys = Array.from({ length: 300 }, (_, i) => `user:${i}`);
      for (const k of keys) await c.set(k, 'v', 60);
      const masters = (c.client as unknown as Cluster).nodes('master');
      const sizes = await Promise.all(masters.map((m) => m.dbsize()));
      expect(sizes.filter((n) => n > 0).length).toBe(3);
      await c.clearPrefix('user:');
      expect((await c.getMany(keys)).filter((v) => v !== undefined)).toEqual([]);
    } finally {
      await c.close();
    }
  });
});

describe.skipIf(!available)('Redis Sentinel (a master and a sentinel started by this test)', () => {
  let master: RedisProcess;
  let sentinel: RedisProcess;
  let sentinelPort = 0;
  beforeAll(async () => {
    master = await startRedis();
    sentinelPort = await freePort();
    const dir = scratchDir();
    const conf = writeConfig(
      dir,
      'sentinel.conf',
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor kosha-master 127.0.0.1 ${master.port} 1`,
        'sentinel down-after-milliseconds kosha-master 2000',
        '',
      ].join('\n'),
    );
    sentinel = await startRedis([], sentinelPort, [conf, '--sentinel']);
  }, 30_000);
  afterAll(async () => {
    await sentinel?.stop();
    await master?.stop();
  });

  const viaSentinel = () =>
    redisCache({
      sentinel: { sentinels: [{ host: '127.0.0.1', port: sentinelPort }], name: 'kosha-master' },
      keyPrefix: prefix(),
      commandTimeout: 1000,
    });

  cacheConformance(test, viaSentinel, { name: 'redis via sentinel', numRuns: 15 });

  it('writes to the master the sentinel names', async () => {
    const c = viaSentinel();
    try {
      await c.set('where', 'master', 60);
      const keys = execFileSync('redis-cli', [
        '-p',
        String(master.port),
        '--scan',
        '--pattern',
        '*where',
      ]).toString();
      expect(keys).toContain(':where');
    } finally {
      await c.close();
    }
  });
});
