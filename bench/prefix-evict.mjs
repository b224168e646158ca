#!/usr/bin/env node
import { fork } from 'node:child_process';
// Benchmark: prefix eviction of 1,000,000 keys on a real Redis while another client (a process of
// its own) sends a PING every millisecond. Target: the
// worst PING stays under 10 ms. Redis's own time per command (INFO commandstats) is shown too. The
// same data is then evicted with KEYS + DEL, for comparison. Last, what a namespace-generation scheme
// would cost on every hit (the alternative to scanning), measured.
// REDIS_URL=redis://… (default redis://127.0.0.1:6379/15: a database of its own); --keys N to resize.
import { randomBytes } from 'node:crypto';
import { redisCache } from '@kosha/cache-redis';
import { Redis } from 'ioredis';
import { Bench } from 'tinybench';

if (process.argv[2] === '--pinger') {
  // The other client, in a process of its own: PING latencies until told to stop.
  const client = new Redis(process.argv[3]);
  const latencies = [];
  let stop = false;
  process.on('message', () => {
    stop = true;
  });
  await client.ping();
  process.send('ready');
  // One PING per millisecond, like a busy application client.
  while (!stop) {
    const t = process.hrtime.bigint();
    await client.ping();
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    await new Promise((r) => setTimeout(r, 1));
  }
  latencies.sort((a, b) => a - b);
  process.send({
    count: latencies.length,
    max: latencies.at(-1),
    p99: latencies[Math.floor(latencies.length * 0.99)],
  });
  client.disconnect();
  process.disconnect();
} else {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15';
  const arg = process.argv.indexOf('--keys');
  const total = arg > 0 ? Number(process.argv[arg + 1]) : 1_000_000;
  const ns = `kosha-bench-evict-${randomBytes(4).toString('hex')}`;
  const raw = new Redis(url);

  const fill = async () => {
    for (let i = 0; i < total; i += 10_000) {
      const p = raw.pipeline();
      for (let j = i; j < Math.min(total, i + 10_000); j++)
        p.set(`${ns}:user:${j}`, 'k1:{"id":1}', 'EX', 3600);
      await p.exec();
    }
  };
  const count = async (pattern) => {
    let n = 0;
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
      n += keys.length;
      cursor = next;
    } while (cursor !== '0');
    return n;
  };
  // Redis's own time per command (INFO commandstats, diffed): how long each one held its main thread.
  const commandStats = async () => {
    const stats = {};
    for (const line of (await raw.info('commandstats')).split('\n')) {
      const m = /^cmdstat_(\w+):calls=(\d+),usec=(\d+)/.exec(line);
      if (m) stats[m[1]] = { calls: Number(m[2]), usec: Number(m[3]) };
    }
    return stats;
  };
  const perCall = (before, after, cmd) => {
    const a = after[cmd] ?? { calls: 0, usec: 0 };
    const b = before[cmd] ?? { calls: 0, usec: 0 };
    return a.calls === b.calls
      ? 'none'
      : `${((a.usec - b.usec) / (a.calls - b.calls)).toFixed(0)} µs × ${a.calls - b.calls}`;
  };
  const whilePinging = async (fn) => {
    const worker = fork(new URL(import.meta.url), ['--pinger', url]);
    await new Promise((r) => worker.once('message', r));
    const t = performance.now();
    await fn();
    const ms = performance.now() - t;
    const stats = new Promise((r) => worker.once('message', r));
    worker.send('stop');
    return { ms, ...(await stats) };
  };
  const fmt = (s) =>
    `${(s.ms / 1000).toFixed(2)} s; worst PING ${s.max.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms over ${s.count} PINGs`;

  // Keys that must survive: another prefix that starts the same way.
  const control = raw.pipeline();
  for (let j = 0; j < 1000; j++) control.set(`${ns}:users:${j}`, 'keep', 'EX', 3600);
  await control.exec();

  const idle = await whilePinging(() => new Promise((r) => setTimeout(r, 1000)));
  console.log(`\nPrefix eviction of ${total.toLocaleString('en')} keys on Redis`);
  console.log(
    `  idle Redis (1 s):             worst PING ${idle.max.toFixed(2)} ms, p99 ${idle.p99.toFixed(2)} ms`,
  );

  await fill();
  const scanCount = Number(process.env.SCAN_COUNT ?? 1000);
  const cache = redisCache({ url, keyPrefix: ns, scanCount });
  let before = await commandStats();
  const scan = await whilePinging(() => cache.clearPrefix('user:'));
  let after = await commandStats();
  const leftScan = await count(`${ns}:user:*`);
  console.log(`  Kosha clearPrefix (SCAN+UNLINK): ${fmt(scan)}; left ${leftScan}`);
  console.log(
    `    Redis time per command: SCAN ${perCall(before, after, 'scan')}, UNLINK ${perCall(before, after, 'unlink')}`,
  );

  await fill();
  before = await commandStats();
  const keysDel = await whilePinging(async () => {
    const keys = await raw.keys(`${ns}:user:*`);
    for (let i = 0; i < keys.length; i += 10_000) await raw.del(...keys.slice(i, i + 10_000));
  });
  after = await commandStats();
  const leftKeys = await count(`${ns}:user:*`);
  console.log(`  KEYS + DEL (10,000 per DEL):     ${fmt(keysDel)}; left ${leftKeys}`);
  console.log(
    `    Redis time per command: KEYS ${perCall(before, after, 'keys')}, DEL ${perCall(before, after, 'del')}`,
  );
  const kept = await count(`${ns}:users:*`);
  console.log(`  keys of the neighbouring prefix "users:" still there: ${kept} of 1000`);

  // The alternative: a generation number per prefix, read on every hit (one round trip with a script).
  const gen = `${ns}:gen:user`;
  await raw.set(gen, '7');
  await raw.set(`${ns}:user:7:42`, 'k1:{"id":42}', 'EX', 60);
  await raw.set(`${ns}:user:42`, 'k1:{"id":42}', 'EX', 60);
  raw.defineCommand('genGet', {
    numberOfKeys: 1,
    lua: "local g = redis.call('GET', KEYS[1]) or '0' return redis.call('GET', ARGV[1] .. g .. ARGV[2])",
  });
  const tasks = {
    get: () => raw.get(`${ns}:user:42`),
    lua: () => raw.genGet(gen, `${ns}:user:`, ':42'),
  };
  const ratios = [];
  const means = { get: [], lua: [] };
  for (let r = 0; r < 5; r++) {
    const bench = new Bench({ time: 500, warmupTime: 100 });
    for (const name of r % 2 ? ['lua', 'get'] : ['get', 'lua']) bench.add(name, tasks[name]);
    await bench.run();
    const m = Object.fromEntries(bench.tasks.map((t) => [t.name, t.result.latency.mean * 1000]));
    means.get.push(m.get);
    means.lua.push(m.lua);
    ratios.push(m.lua / m.get);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const [get, lua, genRatio] = [median(means.get), median(means.lua), median(ratios)];
  console.log(
    `  a hit with a generation lookup (one EVALSHA): ${lua.toFixed(1)} µs against ${get.toFixed(1)} µs for a GET ` +
      `(×${genRatio.toFixed(2)} per hit, median of 5 rounds; on a Cluster the generation key and the entries must share a slot)`,
  );
  if (process.env.BENCH_JSON) {
    console.log(
      JSON.stringify({
        scenario: 'prefix eviction',
        keys: total,
        scan,
        keysDel,
        generationHitRatio: genRatio,
      }),
    );
  }

  await cache.clearPrefix('');
  await cache.close();
  raw.disconnect();
}
