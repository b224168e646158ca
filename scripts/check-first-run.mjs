#!/usr/bin/env node
// A newcomer's first run, checked: packs the packages, then, in a fresh folder per package manager
// (npm, pnpm) and decorator mode (TC39, legacy), follows docs/getting-started.md and the set-up of
// docs/testing.md word for word — the pages' own code blocks, in order — with the tarballs in place
// of the registry's @kosha/* packages. Every command must succeed, and every `output` block must
// appear in what its command printed. Skips (exit 0) when the npm registry is not reachable.
//
//   node scripts/check-first-run.mjs [--pm npm|pnpm] [--mode tc39|legacy] [--dir DIR]
//
// What it runs from a page: every bash/sh block (a line starting with npm or npx only in the npm
// folders, one starting with pnpm only in the pnpm folders, any other line in both), every block
// with file=PATH written at PATH, and blocks with mode=M only in mode M (see check-docs.mjs for the
// info strings). Each folder keeps walkthrough.sh (what was run) and logs/ (what each step printed).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { blocksOf, root } from './doc-blocks.mjs';
import { pack, publishablePackages } from './pack.mjs';

const PAGES = ['docs/getting-started.md', 'docs/testing.md'];
const PMS = ['npm', 'pnpm'];
const MODES = ['tc39', 'legacy'];

const { values: args } = parseArgs({
  options: {
    pm: { type: 'string' },
    mode: { type: 'string' },
    dir: { type: 'string', default: join(tmpdir(), 'kosha-first-run') },
    // Internal: called by the walk-through once the page's package.json is written.
    overrides: { type: 'string' },
    packs: { type: 'string' },
  },
});

if (args.overrides) {
  addOverrides(args.overrides, args.packs);
  process.exit(0);
}

/**
 * Points every @kosha/* name in ./package.json at its tarball, relative to the project as npm writes
 * file: specs (an override must equal the direct dependency's spec), so that the packages' own
 * @kosha/* dependencies resolve to the tarballs too and not to the registry.
 */
function addOverrides(pm, packs) {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  const overrides = Object.fromEntries(
    Object.entries(JSON.parse(readFileSync(join(packs, 'index.json'), 'utf8'))).map(([name, file]) => [
      name,
      `file:${relative(process.cwd(), file)}`,
    ]),
  );
  if (pm === 'pnpm') pkg.pnpm = { ...pkg.pnpm, overrides: { ...pkg.pnpm?.overrides, ...overrides } };
  else pkg.overrides = { ...pkg.overrides, ...overrides };
  writeFileSync('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
}

for (const [flag, value, allowed] of [
  ['--pm', args.pm, PMS],
  ['--mode', args.mode, MODES],
]) {
  if (value !== undefined && !allowed.includes(value)) {
    console.error(`check-first-run: ${flag} is one of ${allowed.join(', ')}, got ${value}`);
    process.exit(2);
  }
}

const registry = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
try {
  const res = await fetch(new URL('-/ping', registry.endsWith('/') ? registry : `${registry}/`), {
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
} catch (error) {
  console.log(
    `check-first-run: skipped — the npm registry ${registry} is not reachable (${error.cause?.code ?? error.cause?.errors?.[0]?.code ?? error.cause?.message ?? error.message}); a first run installs from it.`,
  );
  process.exit(0);
}

// What a newcomer's shell has: Node >= 22.17 and npm first on PATH, pnpm installed; nothing of the
// repository (its node_modules/.bin, its node shim's NODE_PATH, the npm_* variables of a script).
const work = args.dir;
rmSync(work, { recursive: true, force: true });
const bin = join(work, 'bin');
mkdirSync(bin, { recursive: true });
const pnpmCli = join(root, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
writeFileSync(join(bin, 'pnpm'), `#!/bin/sh\nexec "${process.execPath}" "${pnpmCli}" "$@"\n`);
chmodSync(join(bin, 'pnpm'), 0o755);
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !/^(npm_|pnpm_|PNPM_|NODE_PATH$|NODE_OPTIONS$|INIT_CWD$|CI$|FORCE_COLOR$|TURBO_)/i.test(k),
  ),
);
env.PATH = [
  dirname(process.execPath),
  bin,
  ...(process.env.PATH ?? '').split(delimiter).filter((p) => !p.includes('node_modules')),
].join(delimiter);
env.NO_COLOR = '1';

console.log('check-first-run: building and packing the packages …');
const built = spawnSync('turbo', ['run', 'build', '--output-logs=errors-only'], {
  cwd: root,
  stdio: 'inherit',
});
if (built.status !== 0) process.exit(built.status ?? 1);
const packs = join(work, 'packs');
mkdirSync(packs);
const index = {};
for (const pkg of publishablePackages()) {
  const { tarball, error } = pack(pkg.path, packs);
  if (!tarball) {
    console.error(error);
    process.exit(1);
  }
  index[pkg.manifest.name] = tarball;
}
writeFileSync(join(packs, 'index.json'), JSON.stringify(index, null, 2));

const blocks = PAGES.flatMap((page) => blocksOf(join(root, page)));
const results = [];
for (const pm of PMS.filter((p) => !args.pm || p === args.pm)) {
  for (const mode of MODES.filter((m) => !args.mode || m === args.mode)) {
    results.push(walk(pm, mode));
  }
}

console.log('');
for (const r of results) console.log(`check-first-run: ${r.pm}, ${r.mode} decorators: ${r.summary}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);

/** Follows the pages in a fresh folder with one package manager in one decorator mode. */
function walk(pm, mode) {
  const base = join(work, `${pm}-${mode}`);
  const logs = join(base, 'logs');
  mkdirSync(logs, { recursive: true });
  const started = Date.now();
  const script = ['set -u', `fail() { echo "::failed $1"; exit 1; }`];
  const steps = []; // { doc, line, commands, expected? }
  for (const b of blocks) {
    if (b.attrs.mode && b.attrs.mode !== mode) continue;
    if (b.attrs.output) {
      if (steps.length > 0) steps.at(-1).expected = { text: b.code, at: `${b.doc}:${b.line}` };
      continue;
    }
    if (b.attrs.file) {
      const file = b.attrs.file;
      script.push(`# ${b.doc}:${b.line}`, `mkdir -p '${dirname(file)}'`, `cat > '${file}' <<'KOSHA_EOF'`);
      script.push(`${b.code}KOSHA_EOF`);
      if (file === 'package.json') {
        script.push(`"${process.execPath}" "${import.meta.filename}" --overrides ${pm} --packs "${packs}"`);
      }
      continue;
    }
    if (b.lang !== 'bash' && b.lang !== 'sh') continue;
    const commands = b.code
      .split('\n')
      .filter((l) => l.trim() && !l.trim().startsWith('#'))
      .filter((l) => {
        const first = l.trim().split(/\s+/)[0];
        if (first === 'npm' || first === 'npx') return pm === 'npm';
        if (first === 'pnpm') return pm === 'pnpm';
        return true;
      })
      .map((l) => (/^\s*(npm (i|install)|pnpm (add|install|i))\b/.test(l) ? fromTarballs(l) : l));
    if (commands.length === 0) continue;
    const n = steps.length + 1;
    steps.push({ n, at: `${b.doc}:${b.line}`, commands });
    script.push(
      `# ${b.doc}:${b.line}`,
      `{ ${commands.map((c) => `echo '$ ${c.replaceAll("'", "'\\''")}' && ${c}`).join(' &&\n  ')}; } > '${join(logs, `${n}.log`)}' 2>&1 || fail ${n}`,
    );
  }
  script.push('echo "::done"');
  writeFileSync(join(base, 'walkthrough.sh'), `${script.join('\n')}\n`);

  console.log(`\ncheck-first-run: ${pm}, ${mode} decorators, in ${base}`);
  const r = spawnSync('bash', [join(base, 'walkthrough.sh')], {
    cwd: base,
    env,
    encoding: 'utf8',
    timeout: 15 * 60_000,
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  const failed = /::failed (\d+)/.exec(r.stdout)?.[1];
  const done = r.stdout.includes('::done');
  const problems = [];
  for (const step of steps) {
    let log;
    try {
      log = readFileSync(join(logs, `${step.n}.log`), 'utf8');
    } catch {
      continue; // not reached
    }
    console.log(`  ${step.at}: ${step.commands.join(' ; ')}`);
    if (failed === String(step.n)) {
      problems.push(`${step.at}: \`${step.commands.join(' && ')}\` failed:\n${tail(log)}`);
      break;
    }
    if (step.expected) {
      const missing = missingLines(step.expected.text, log);
      if (missing) {
        problems.push(
          `${step.expected.at}: the output block does not match; "${missing}" is not in what it printed:\n${tail(log)}`,
        );
      }
    }
  }
  if (!done && !failed)
    problems.push(`the walk-through stopped (${r.signal ?? `exit ${r.status}`}): ${r.stderr}`);
  for (const p of problems) console.error(`  FAILED ${p}`);
  const warnings = installWarnings(logs);
  return {
    pm,
    mode,
    ok: problems.length === 0,
    summary:
      (problems.length === 0
        ? `every step worked (${steps.length} steps, ${seconds} s)`
        : `FAILED at ${problems[0].split(':\n')[0]}`) +
      (warnings.length > 0 ? `; install warnings:\n    ${warnings.join('\n    ')}` : ''),
  };
}

/**
 * What npm or pnpm warned about while installing, once each: peer ranges, engines, resolution —
 * not the notes about skipped install scripts, which the guide tells the reader to ignore.
 */
function installWarnings(logs) {
  const seen = new Set();
  for (const file of readdirSync(logs)) {
    const log = readFileSync(join(logs, file), 'utf8');
    for (const m of log.matchAll(/✕ unmet peer .*|ERESOLVE .*|(?:npm warn|WARN) +deprecated .*/g)) {
      seen.add(m[0].replace(/\s+/g, ' ').trim());
    }
    for (const m of log.matchAll(
      /EBADENGINE +package: '([^']+)',\n.*EBADENGINE +required: \{ node: '([^']+)'/g,
    )) {
      seen.add(`EBADENGINE ${m[1]} wants node ${m[2]}, found ${process.version}`);
    }
  }
  return [...seen];
}

/** An install line with each @kosha/* name replaced by its tarball. */
function fromTarballs(line) {
  return line.replace(/@kosha\/[a-z-]+/g, (name) => index[name] ?? name);
}

/** The first line of `expected` that is not, in order, in `log` (whitespace-insensitive); else undefined. */
function missingLines(expected, log) {
  const norm = (s) => s.replace(/\s+/g, ' ').trim();
  const actual = log.split('\n').map(norm);
  let at = 0;
  for (const line of expected.split('\n').map(norm).filter(Boolean)) {
    const found = actual.findIndex((a, i) => i >= at && a.includes(line));
    if (found === -1) return line;
    at = found + 1;
  }
  return undefined;
}

function tail(log) {
  return log.split('\n').slice(-40).join('\n');
}
