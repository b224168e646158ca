#!/usr/bin/env node
// `pnpm check:install`: a new user's first install, done for real outside the repository. Packs
// @kosha/core, @kosha/orm-mikro and @kosha/cache-redis, then for npm and for pnpm makes a fresh project
// in the system's temp directory ("type": "module") with those tarballs and the newest 7.2.x MikroORM
// driver from the registry — @mikro-orm/postgresql, and separately @mikro-orm/sqlite (their newest
// releases may differ, 7.2.5 and 7.2.2 today, and MikroORM's packages peer on their exact core version,
// so one project cannot hold both) — and checks that:
//   - the install (and, with npm, `npm update`) reports no ERESOLVE and no peer dependency warning;
//   - there is one copy of @mikro-orm/core;
//   - a duplicate insert into a unique column is a DatabaseError of kind unique_violation, on the shared
//     PostgreSQL (KOSHA_TEST_POSTGRES_URL, by default database `test` on 127.0.0.1; a table of a random
//     name, dropped afterwards) and on SQLite in memory.
// Skips, saying why, when the npm registry cannot be reached (offline) or PostgreSQL is not running.
// Exits 1 when a check fails. Not part of `npm test` (it downloads packages and takes a minute or two).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack } from './pack.mjs';

const root = join(import.meta.dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const PACKAGES = ['core', 'orm-mikro', 'cache-redis'];
const DRIVERS = ['postgresql', 'sqlite'];
// The test suites' variable (packages/testing/src/services.ts); turbo never runs this script, so it
// needs no place in turbo.json.
const POSTGRES_ENV = 'KOSHA_TEST_POSTGRES_URL';
const POSTGRES_URL = process.env[POSTGRES_ENV] ?? 'postgresql://postgres@127.0.0.1:5432/test';
const say = (line) => console.log(`check-install: ${line}`);

// A new user's shell: without the npm_* settings a package manager script hands its children, but with
// the registry and proxy the user set.
const KEEP = /^npm_config_(registry|https?_proxy|proxy|noproxy|cafile|strict_ssl)$/i;
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => KEEP.test(k) || !/^npm_|^pnpm_/i.test(k)),
);

function run(cmd, args, cwd, timeout = 600_000) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env });
  return { status: r.status, stdout: r.stdout ?? '', output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 17)) {
  say(
    `needs Node.js >= 22.17 to run the check (this is v${process.versions.node}): run \`pnpm check:install\`.`,
  );
  process.exit(1);
}

// 1. The registry, and the newest 7.2.x of each driver (what `npm i @mikro-orm/<driver>` would pick today).
const latest = {};
for (const driver of DRIVERS) {
  const r = run(
    'npm',
    [
      'view',
      `@mikro-orm/${driver}@~7.2.0`,
      'version',
      '--json',
      '--fetch-timeout=20000',
      '--fetch-retries=1',
    ],
    root,
    60_000,
  );
  if (r.status !== 0) {
    say(`skipped: the npm registry cannot be reached (npm view @mikro-orm/${driver} failed).`);
    say(r.output.trim().split('\n').slice(-3).join(' | '));
    process.exit(0);
  }
  const versions = [JSON.parse(r.stdout)].flat();
  latest[driver] = versions.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);
}
say(`newest 7.2.x in the registry: ${DRIVERS.map((d) => `@mikro-orm/${d} ${latest[d]}`).join(', ')}`);

// 2. Build and pack, as `npm publish` would (workspace:^ becomes the version).
const work = mkdtempSync(join(tmpdir(), 'kosha-check-install-'));
const packs = join(work, 'packs');
mkdirSync(packs);
const build = run(bin('turbo'), ['run', 'build', '--output-logs=errors-only'], root);
if (build.status !== 0) {
  console.error(build.output);
  say('the build failed: nothing to pack.');
  process.exit(1);
}
const tarballs = {};
for (const pkg of PACKAGES) {
  const dir = join(root, 'packages', pkg);
  const { tarball, error } = pack(dir, packs, env);
  if (!tarball) {
    console.error(error);
    say(`pnpm pack failed in packages/${pkg}.`);
    process.exit(1);
  }
  tarballs[JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name] = tarball;
}
say(
  `packed ${Object.values(tarballs)
    .map((t) => t.split('/').at(-1))
    .join(', ')} into ${packs}`,
);

// 3. The user's script: a unique column, a duplicate insert, the error's kind; its table dropped afterwards.
const CHECK = `import { column, createKosha, DatabaseError, DbRepo, entity, id, table } from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';
import '@kosha/cache-redis';

const [url, tableName] = process.argv.slice(2);
class Member {}
entity(Member);
table(tableName)(Member);
id({ autoincrement: true })(Member.prototype, 'id');
column({ type: 'string', length: 100, unique: true })(Member.prototype, 'email');
class Members extends DbRepo {}

let kosha;
try {
  kosha = await createKosha({ orm: mikroOrm({ url }), entities: [Member], cache: false, setDefault: false });
} catch (error) {
  const kind = error.kind ?? error.cause?.kind;
  console.log(JSON.stringify({ unreachable: kind === 'connection', message: error.message }));
  process.exit(0);
}
try {
  await kosha.schema.create();
  const members = new Members(Member, kosha);
  await members.insertAll([{ email: 'ada@example.org' }]);
  const error = await members.insertAll([{ email: 'ada@example.org' }]).then(() => undefined, (e) => e);
  console.log(JSON.stringify({
    kind: error?.kind,
    code: error?.code,
    isDatabaseError: error instanceof DatabaseError,
    cause: error?.cause?.name,
  }));
} finally {
  await kosha.schema.drop().catch((e) => console.error('could not drop ' + tableName + ': ' + e.message));
  await kosha.close();
}
`;

/** Copies of @mikro-orm/core the project got: versions, one per copy. */
function coreCopies(dir, pm) {
  if (pm === 'pnpm') {
    const store = join(dir, 'node_modules', '.pnpm');
    return readdirSync(store)
      .filter((d) => d.startsWith('@mikro-orm+core@'))
      .map((d) => d.slice('@mikro-orm+core@'.length).split('_')[0]);
  }
  const found = [];
  const walk = (modules, depth) => {
    if (depth > 6 || !existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      const names = entry.startsWith('@')
        ? readdirSync(join(modules, entry)).map((n) => `${entry}/${n}`)
        : [entry];
      for (const name of names) {
        const pkgDir = join(modules, name);
        if (name === '@mikro-orm/core')
          found.push(JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version);
        walk(join(pkgDir, 'node_modules'), depth + 1);
      }
    }
  };
  walk(join(dir, 'node_modules'), 0);
  return found;
}

/** Warnings that are not about peers, one line each (npm spreads EBADENGINE over several). */
function otherWarnings(output) {
  const lines = output.split('\n');
  const out = new Set();
  lines.forEach((line, i) => {
    if (/EBADENGINE Unsupported engine/.test(line)) {
      const pkg = /package: '([^']+)'/.exec(lines[i + 1] ?? '')?.[1];
      const wants = /required: \{ node: '([^']+)'/.exec(lines[i + 2] ?? '')?.[1];
      out.add(`EBADENGINE: ${pkg} wants Node ${wants}, this is ${process.version}`);
    } else if (/\bwarn\b/i.test(line) && !/EBADENGINE/.test(line) && !PEER_TROUBLE.test(line)) {
      out.add(line.trim());
    }
  });
  return [...out];
}

const PEER_TROUBLE =
  /ERESOLVE|unmet peer|peer dep|Issues with peer dependencies|conflicting peer|incorrect peer/i;

const results = [];
for (const pm of ['npm', 'pnpm']) {
  for (const driver of DRIVERS) {
    const label = `${pm} + @mikro-orm/${driver}@^${latest[driver]}`;
    const dir = join(work, `${pm}-${driver}`);
    mkdirSync(dir);
    const files = Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`]));
    const manifest = {
      name: `kosha-install-check-${pm}-${driver}`,
      private: true,
      type: 'module',
      dependencies: { ...files, [`@mikro-orm/${driver}`]: `^${latest[driver]}` },
      // pnpm looks the inner @kosha/* dependencies up in the registry unless pointed at the tarballs.
      ...(pm === 'pnpm' ? { pnpm: { overrides: files } } : {}),
    };
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(join(dir, 'check.mjs'), CHECK);
    const steps =
      pm === 'npm'
        ? [
            ['npm', ['install', '--no-audit', '--no-fund']],
            ['npm', ['update', '--no-audit', '--no-fund']],
          ]
        : [[bin('pnpm'), ['install', '--reporter=append-only']]];
    const problems = [];
    let output = '';
    for (const [cmd, args] of steps) {
      const r = run(cmd, args, dir);
      output += r.output;
      if (r.status !== 0)
        problems.push(`\`${[cmd.split('/').at(-1), ...args].join(' ')}\` exited ${r.status}`);
    }
    const trouble = output.split('\n').filter((l) => PEER_TROUBLE.test(l));
    if (trouble.length > 0) problems.push(`peer trouble: ${trouble.slice(0, 3).join(' | ').trim()}`);
    const warnings = otherWarnings(output);
    let copies = [];
    let outcome = 'not run';
    if (problems.length === 0) {
      copies = coreCopies(dir, pm);
      if (copies.length !== 1)
        problems.push(`${copies.length} copies of @mikro-orm/core (${copies.join(', ')})`);
      const url = driver === 'sqlite' ? 'sqlite::memory:' : POSTGRES_URL;
      const tableName = `kosha_check_${randomBytes(4).toString('hex')}`;
      const r = run(process.execPath, ['check.mjs', url, tableName], dir, 120_000);
      const last = r.stdout.trim().split('\n').at(-1) ?? '';
      let result;
      try {
        result = JSON.parse(last);
      } catch {
        result = undefined;
      }
      if (result?.unreachable) {
        outcome = `skipped: ${url.replace(/\/\/[^@]*@/, '//')} unreachable`;
      } else if (result?.kind === 'unique_violation' && result.isDatabaseError) {
        outcome = `duplicate insert -> DatabaseError kind ${result.kind} (${result.code}, cause ${result.cause}); table ${tableName} dropped`;
      } else {
        problems.push(`the duplicate insert gave ${last || r.output.trim().slice(-300)}`);
      }
    }
    results.push({ label, ok: problems.length === 0, skipped: outcome.startsWith('skipped'), dir });
    say(`${label}: ${problems.length === 0 ? 'ok' : 'FAILED'}`);
    say(
      `  install: ${trouble.length === 0 ? 'no ERESOLVE, no peer warning' : 'peer trouble'}; @mikro-orm/core copies: ${copies.join(', ') || '-'}`,
    );
    for (const w of warnings.slice(0, 5)) say(`  (other warning) ${w.trim()}`);
    say(`  ${outcome}`);
    for (const p of problems) say(`  problem: ${p}`);
  }
}

const failed = results.filter((r) => !r.ok);
if (failed.length === 0) {
  rmSync(work, { recursive: true, force: true });
  const skipped = results.filter((r) => r.skipped).length;
  say(
    `all ${results.length} installs clean, one @mikro-orm/core each; the duplicate insert is unique_violation in ` +
      `${results.length - skipped}${skipped ? ` (${skipped} skipped: PostgreSQL unreachable)` : ''}.`,
  );
} else {
  say(`${failed.length} of ${results.length} failed; their projects are kept under ${work}.`);
}
process.exit(failed.length === 0 ? 0 : 1);
