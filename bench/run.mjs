#!/usr/bin/env node
// `pnpm bench [--quick] [--only <id>[,<id>…]]`: runs every scenario under bench/scenarios/, each in a
// process of its own, prints one table — scenario, Kosha, baseline, ratio, target, verdict — and writes it
// as bench/results.json and bench/RESULTS.md (with --quick: results.quick.json and RESULTS.quick.md, so a
// quick run never overwrites the committed full run). SQLite in memory and ioredis-mock unless
// DATABASE_URL / REDIS_URL are set. Exit code 1 when a scenario fails or a correctness target misses
// (a loader called more than once, memory that is not given back); a speed target that misses is a MISS
// in the table, and fails the run only with --strict.
import { execFileSync, fork } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, freemem, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context } from './lib/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const strict = args.includes('--strict');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? new Set(args[onlyAt + 1]?.split(',')) : null;
const ctx = context(process.argv);

const scenarioFiles = readdirSync(join(here, 'scenarios'))
  .filter((f) => f.endsWith('.mjs'))
  .sort()
  .filter(
    (f) => !only || only.has(f.replace(/^\d+-/, '').replace(/\.mjs$/, '')) || only.has(f.split('-')[0]),
  );
if (scenarioFiles.length === 0) {
  console.error(
    `bench: no scenario matches --only ${args[onlyAt + 1]}; the scenarios are in bench/scenarios/.`,
  );
  process.exit(2);
}

const started = Date.now();
console.log(
  `kosha bench${quick ? ' --quick' : ''}: ${scenarioFiles.length} scenarios on ${ctx.dialect} and ${ctx.redisKind}` +
    (ctx.redisUrl || ctx.databaseUrl !== 'sqlite::memory:'
      ? ''
      : ' (set DATABASE_URL / REDIS_URL for real services)'),
);

const rows = [];
const failures = [];
for (const file of scenarioFiles) {
  const t = Date.now();
  process.stdout.write(`  ${file.replace(/\.mjs$/, '')} … `);
  const result = await runChild(join(here, 'scenarios', file));
  const secs = ((Date.now() - t) / 1000).toFixed(1);
  if (result.error) {
    console.log(`FAILED (${secs} s)`);
    console.error(result.error.replace(/^/gm, '    '));
    failures.push(`${file}: ${result.error.split('\n')[0]}`);
    rows.push({
      scenario: file,
      kosha: '—',
      baseline: '—',
      ratio: null,
      target: '—',
      verdict: 'FAILED',
      notes: result.error.split('\n')[0],
    });
  } else {
    console.log(`${secs} s`);
    if (result.output.trim()) console.log(result.output.trimEnd().replace(/^/gm, '    │ '));
    for (const r of result.rows) rows.push({ file, ...r });
  }
}

function runChild(file) {
  return new Promise((resolve) => {
    const child = fork(join(here, 'lib', 'child.mjs'), [file, ...(quick ? ['--quick'] : [])], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    // What a scenario prints goes under its line of the progress list, indented, once it is done.
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    let message;
    child.on('message', (m) => {
      message = m;
      // A scenario that leaves a handle open must not hang the run once it has answered.
      setTimeout(() => child.kill(), 5000).unref();
    });
    child.on('exit', (code, signal) => {
      if (message) resolve({ ...message, output });
      else resolve({ error: `exited (${signal ?? code}) without a result\n${output.slice(-2000)}` });
    });
  });
}

const machine = describeMachine();
const table = markdownTable(rows);
console.log(`\n${table}\n`);
const misses = rows.filter((r) => r.verdict === 'MISS');
const correctnessMisses = misses.filter((r) => r.correctness);
const secs = ((Date.now() - started) / 1000).toFixed(0);
console.log(
  `${rows.filter((r) => r.verdict === 'pass').length} pass, ${misses.length} miss, ${failures.length} failed, in ${secs} s`,
);

const stem = quick ? 'results.quick' : 'results';
writeFileSync(
  join(here, `${stem}.json`),
  `${JSON.stringify({ date: new Date().toISOString(), quick, machine, rows }, null, 2)}\n`,
);
writeFileSync(
  join(here, quick ? 'RESULTS.quick.md' : 'RESULTS.md'),
  [
    `# Kosha benchmark results${quick ? ' (quick run)' : ''}`,
    '',
    `Run on ${new Date().toISOString().slice(0, 10)} with \`pnpm bench${quick ? ' --quick' : ''}\`` +
      ` in ${secs} s. Ratios are medians of per-round ratios, both sides measured in the same run.`,
    '',
    '## Machine and versions',
    '',
    ...Object.entries(machine).map(([k, v]) => `- ${k}: ${v}`),
    '',
    '## Results',
    '',
    table,
    '',
    'What each scenario measures, and why a target misses: [docs/benchmarks.md](../docs/benchmarks.md).',
    '',
  ].join('\n'),
);
console.log(`written: bench/${stem}.json, bench/${quick ? 'RESULTS.quick.md' : 'RESULTS.md'}`);

if (failures.length || correctnessMisses.length || (strict && misses.length)) process.exit(1);

function markdownTable(rows) {
  const cols = ['scenario', 'Kosha', 'baseline', 'ratio', 'target', 'verdict', 'notes'];
  const cell = (r, c) => {
    if (c === 'Kosha') return r.kosha;
    if (c === 'ratio') return r.ratio === null || r.ratio === undefined ? '—' : r.ratio.toFixed(3);
    return String(r[c] ?? '');
  };
  const esc = (s) => s.replace(/\|/g, '\\|');
  return [
    `| ${cols.join(' | ')} |`,
    `|${cols.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${cols.map((c) => esc(cell(r, c))).join(' | ')} |`),
  ].join('\n');
}

function describeMachine() {
  // A package's version: resolved from the bench package or from the Kosha package that depends on it
  // (MikroORM's core is a dependency of @kosha/orm-mikro), then the package.json above its entry point.
  const require = createRequire(import.meta.url);
  const version = (pkg) => {
    for (const from of [here, join(here, '..', 'packages', 'orm-mikro')]) {
      try {
        let dir = dirname(require.resolve(pkg, { paths: [from] }));
        for (; dir !== dirname(dir); dir = dirname(dir)) {
          try {
            const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
            if (meta.name === pkg) return meta.version;
          } catch {}
        }
      } catch {}
    }
    return 'not installed';
  };
  const server = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return 'unknown';
    }
  };
  const cpu = cpus();
  const out = {
    CPU: `${cpu[0]?.model ?? 'unknown'} × ${cpu.length}`,
    memory: `${(totalmem() / 2 ** 30).toFixed(0)} GiB (${(freemem() / 2 ** 30).toFixed(0)} GiB free at start)`,
    Node: process.version,
    database: ctx.databaseUrl.replace(/\/\/[^@/]*@/, '//…@'),
    cache: ctx.redisUrl
      ? ctx.redisUrl.replace(/\/\/[^@/]*@/, '//…@')
      : `ioredis-mock ${version('ioredis-mock')}`,
  };
  if (ctx.dialect === 'postgresql') out.PostgreSQL = server('psql', ['--version']);
  if (ctx.dialect === 'mariadb' || ctx.dialect === 'mysql') out.MariaDB = server('mariadb', ['--version']);
  if (ctx.redisUrl) out.Redis = server('redis-server', ['--version']);
  for (const pkg of [
    '@mikro-orm/core',
    'better-sqlite3',
    'pg',
    'ioredis',
    'express',
    'fastify',
    'typeorm',
    'typeorm-transactional',
    '@type-cacheable/core',
    'tinybench',
    'autocannon',
  ])
    out[pkg] = version(pkg);
  return out;
}
