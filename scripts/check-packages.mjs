#!/usr/bin/env node
// Checks what `npm publish` would ship, from the packed tarballs (run after the build):
//   1. every publishable package (packages/* not marked private) packs with `pnpm pack`, which
//      rewrites `workspace:` ranges as publishing does;
//   2. `publint --strict` passes (its warnings count as errors);
//   3. `attw` (@arethetypeswrong/cli) finds types for every export under every resolution mode —
//      node10, node16 from CJS and from ESM, bundler. The one rule ignored is `cjs-resolves-to-esm`:
//      the packages are ESM only by design (MikroORM 7 is), and the note only says that a CommonJS
//      caller gets ESM, which Node >= 22.12 loads with require() and engines ask for >= 22.17;
//   4. the tarball has a LICENSE, the metadata (repository with its directory, homepage, bugs,
//      keywords), no .tsbuildinfo, and source maps whose sources are in the tarball;
//   5. every package a built file imports is declared (dependencies or peers; an optional peer only
//      off the main entry's static graph), and every dependency is imported or is a peer of one;
//   6. installed from the tarballs into an empty project with pnpm, the testing kit runs a test with
//      createTestKosha, the fixtures, the cache inspector and the vitest helper, with none of the
//      conformance suites' packages (pg, mysql2, and fast-check once it is not a dependency)
//      installed; require() from CommonJS loads every package; and the `kosha` binary of @kosha/cli runs.
// `--no-install` skips step 6 (no registry access needed for 1–5).
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { pack, publishablePackages } from './pack.mjs';

const root = join(import.meta.dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const REPOSITORY = 'git+https://github.com/kosha-dev/kosha.git';
/** Installed only for the conformance suites against real databases, never by the user's kit. */
const TEST_ONLY = ['pg', 'mysql2', 'fast-check'];

const work = mkdtempSync(join(tmpdir(), 'kosha-packages-'));
const failures = [];
const fail = (pkg, message) => failures.push(`${pkg}: ${message}`);
const run = (cmd, args, cwd) => spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

const packages = publishablePackages();

// The release set: every publishable package versions with the others (they peer on each other, so a
// release that left one behind would publish peer ranges that exclude its neighbours), keeps a
// CHANGELOG, and has its entry point in the API reference.
const fixed = JSON.parse(readFileSync(join(root, '.changeset', 'config.json'), 'utf8')).fixed?.[0] ?? [];
const typedoc = JSON.parse(readFileSync(join(root, 'docs', 'typedoc.json'), 'utf8')).entryPoints ?? [];
for (const pkg of packages) {
  const { name } = pkg.manifest;
  if (!fixed.includes(name)) fail(name, "not in .changeset/config.json's fixed group");
  if (!existsSync(join(pkg.path, 'CHANGELOG.md'))) fail(name, 'no CHANGELOG.md');
  const entry = `../packages/${pkg.dir}/src/index.ts`;
  if (existsSync(join(pkg.path, 'src', 'index.ts')) && !typedoc.includes(entry))
    fail(name, `docs/typedoc.json's entryPoints lack ${entry}`);
}

for (const pkg of packages) {
  const { name } = pkg.manifest;
  if (!existsSync(join(pkg.path, 'dist'))) {
    fail(name, 'no dist/: build first (turbo run build)');
    continue;
  }
  const { tarball, error } = pack(pkg.path, work);
  if (!tarball) {
    fail(name, `pnpm pack failed:\n${error}`);
    continue;
  }
  pkg.tarball = tarball;
  pkg.unpacked = join(work, 'unpacked', pkg.dir);
  mkdirSync(pkg.unpacked, { recursive: true });
  run('tar', ['xzf', tarball, '-C', pkg.unpacked, '--strip-components=1']);
  // From here on, the manifest as published (workspace: ranges rewritten).
  pkg.manifest = JSON.parse(readFileSync(join(pkg.unpacked, 'package.json'), 'utf8'));

  const lint = run(bin('publint'), ['--strict', tarball], work);
  if (lint.status !== 0) fail(name, `publint --strict:\n${lint.stdout}${lint.stderr}`);
  const types = run(
    bin('attw'),
    [tarball, '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'table-flipped'],
    work,
  );
  if (types.status !== 0) fail(name, `attw:\n${types.stdout}${types.stderr}`);

  checkContents(pkg);
  checkImports(pkg);
  console.log(`packages: ${name} packed; publint, attw, contents and imports checked`);
}

if (!process.argv.includes('--no-install') && failures.length === 0) installKit();

rmSync(work, { recursive: true, force: true });
if (failures.length) {
  console.error(`\npackages: ${failures.length} problem(s)\n\n${failures.join('\n\n')}`);
  process.exit(1);
}
console.log(`packages: ${packages.length} packages pass`);

/** Every file of a directory, as paths relative to it. */
function filesOf(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

function checkContents({ manifest, dir, unpacked }) {
  const { name } = manifest;
  const files = filesOf(unpacked);
  if (!files.includes('LICENSE'))
    fail(name, 'no LICENSE in the tarball: add the file and list it in `files`');
  for (const f of files.filter((f) => f.endsWith('.tsbuildinfo')))
    fail(name, `${f} is in the tarball: exclude it in \`files\` ("!dist/.tsbuildinfo")`);
  const repo = manifest.repository ?? {};
  if (repo.url !== REPOSITORY || repo.directory !== `packages/${dir}`)
    fail(
      name,
      `package.json repository must be { "type": "git", "url": "${REPOSITORY}", "directory": "packages/${dir}" }`,
    );
  for (const field of ['homepage', 'bugs', 'license'])
    if (!manifest[field]) fail(name, `package.json has no "${field}"`);
  if (!manifest.keywords?.length) fail(name, 'package.json has no "keywords"');

  const inTarball = new Set(files.map((f) => f.split(sep).join('/')));
  const unresolved = [];
  for (const file of files.filter((f) => /\.(js|d\.ts)$/.test(f))) {
    const text = readFileSync(join(unpacked, file), 'utf8');
    const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
    if (!url) {
      unresolved.push(`${file} → (no sourceMappingURL comment)`);
      continue;
    }
    const mapFile = normalize(join(dirname(file), url));
    if (!inTarball.has(mapFile.split(sep).join('/'))) {
      fail(name, `${file} points at the source map ${url}, which is not in the tarball`);
      continue;
    }
    const map = JSON.parse(readFileSync(join(unpacked, mapFile), 'utf8'));
    map.sources.forEach((source, i) => {
      if (typeof map.sourcesContent?.[i] === 'string') return;
      const target = normalize(join(dirname(mapFile), map.sourceRoot ?? '', source))
        .split(sep)
        .join('/');
      if (!inTarball.has(target)) unresolved.push(`${mapFile} → ${source}`);
    });
  }
  if (unresolved.length)
    fail(
      name,
      `${unresolved.length} source maps do not resolve in the tarball (ship src/ or inline sourcesContent), e.g. ${unresolved[0]}`,
    );
}

/** The bare packages a built file imports: `static` (import/export … from, import '…') and `dynamic`. */
function importsOf(text) {
  const out = { static: new Set(), dynamic: new Set(), relative: new Set() };
  const add = (kind, spec) => {
    if (spec.startsWith('.')) {
      if (kind === 'static') out.relative.add(spec);
    } else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) {
      const parts = spec.split('/');
      out[kind].add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
    }
  };
  // tsc's output: statements at the start of a line; between the keyword and `from` only names,
  // `*`, braces and commas (so `export const a = 'x'` or a string in a function is never read).
  for (const m of text.matchAll(/^(?:import|export)\s[\w$*\s{},]*?\bfrom\s*['"]([^'"]+)['"]/gm))
    add('static', m[1]);
  for (const m of text.matchAll(/^import\s*['"]([^'"]+)['"]/gm)) add('static', m[1]);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) add('dynamic', m[1]);
  return out;
}

function checkImports({ manifest, path, unpacked }) {
  const { name } = manifest;
  const deps = Object.keys(manifest.dependencies ?? {});
  const peers = Object.keys(manifest.peerDependencies ?? {});
  const optional = new Set(peers.filter((p) => manifest.peerDependenciesMeta?.[p]?.optional));
  const files = filesOf(unpacked).filter((f) => f.endsWith('.js'));
  const parsed = new Map(files.map((f) => [f, importsOf(readFileSync(join(unpacked, f), 'utf8'))]));
  const used = new Set();
  for (const [file, found] of parsed) {
    for (const kind of ['static', 'dynamic']) {
      for (const dep of found[kind]) {
        if (dep === name) continue;
        used.add(dep);
        if (!deps.includes(dep) && !peers.includes(dep))
          fail(
            name,
            `${file} imports ${dep}, which package.json does not declare (dependencies or peerDependencies)`,
          );
      }
    }
  }
  // What `import '<name>'` loads before any code runs: an optional peer there breaks the package.
  const main = manifest.exports?.['.']?.import ?? manifest.exports?.['.']?.default ?? manifest.main;
  const seen = new Set();
  const walk = (file) => {
    if (seen.has(file) || !parsed.has(file)) return;
    seen.add(file);
    const found = parsed.get(file);
    for (const dep of found.static)
      if (optional.has(dep))
        fail(
          name,
          `${file} imports the optional peer ${dep} statically from the main entry: import it lazily or make it required`,
        );
    for (const spec of found.relative) walk(normalize(join(dirname(file), spec)));
  };
  if (main) walk(normalize(main));
  // A dependency nobody imports is weight on every user, unless a dependency needs it as a peer.
  const peersOfDeps = new Set();
  for (const dep of deps) {
    const manifestOf = join(path, 'node_modules', dep, 'package.json');
    if (existsSync(manifestOf))
      for (const p of Object.keys(JSON.parse(readFileSync(manifestOf, 'utf8')).peerDependencies ?? {}))
        peersOfDeps.add(p);
  }
  for (const dep of deps)
    if (!used.has(dep) && !peersOfDeps.has(dep))
      fail(
        name,
        `depends on ${dep}, which no built file imports and no dependency needs as a peer: remove it or make it a devDependency`,
      );
}

function installKit() {
  const byName = Object.fromEntries(packages.map((p) => [p.manifest.name, p]));
  const kit = byName['@kosha/testing'];
  if (!kit) return;
  const project = join(work, 'kit-project');
  mkdirSync(project);
  const file = (name) => `file:${byName[name].tarball}`;
  // The user's project has every package but the plugin authors' suites, which the kit must not bring
  // either: @kosha/conformance is only an optional peer of @kosha/testing/conformance.
  const users = packages.filter((p) => p.manifest.name !== '@kosha/conformance').map((p) => p.manifest.name);
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'kit-project',
      private: true,
      type: 'module',
      // The user's packages, with the peers they require at the versions their own tests use.
      devDependencies: {
        ...Object.fromEntries(
          users
            .map((u) => byName[u].manifest)
            .flatMap((m) =>
              Object.entries(m.peerDependencies ?? {})
                .filter(([n]) => !n.startsWith('@kosha/') && !m.peerDependenciesMeta?.[n]?.optional)
                .map(([n, range]) => [n, m.devDependencies?.[n] ?? range]),
            ),
        ),
        ...Object.fromEntries(users.map((n) => [n, file(n)])),
        vitest: rootManifest.devDependencies.vitest,
      },
      // pnpm would look the tarballs' own @kosha/* dependencies up in the registry without these.
      pnpm: {
        overrides: Object.fromEntries(Object.keys(byName).map((n) => [n, file(n)])),
        onlyBuiltDependencies: ['better-sqlite3'],
      },
    }),
  );
  writeFileSync(join(project, 'kit.test.js'), kitTest());
  const install = run(
    bin('pnpm'),
    ['install', '--prefer-offline', '--ignore-workspace', '--reporter=silent'],
    project,
  );
  if (install.status !== 0)
    return fail('@kosha/testing', `installing the packed kit failed:\n${install.stdout}${install.stderr}`);

  const installed = readdirSync(join(project, 'node_modules', '.pnpm'));
  const absent = TEST_ONLY.filter((n) => !(n in (kit.manifest.dependencies ?? {})));
  for (const n of absent)
    if (installed.some((d) => d.startsWith(`${n}@`)))
      fail('@kosha/testing', `installing the kit brought ${n}, which only the conformance suites need`);
  const test = run(process.execPath, [join(project, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], project);
  if (test.status !== 0)
    return fail('@kosha/testing', `the packed kit's test failed:\n${test.stdout}${test.stderr}`);
  // ESM only, but loadable by require() on Node >= 22.12 as long as no module awaits at top level.
  const names = JSON.stringify(users);
  const cjs = run(process.execPath, ['-e', `for (const n of ${names}) require(n)`], project);
  if (cjs.status !== 0)
    fail(
      'packages',
      `require() of a package failed (a top-level await?), which docs/packages.md promises works:\n${cjs.stderr}`,
    );
  // The `kosha` binary as npm links it from @kosha/cli's `bin`, runnable from the tarball.
  if (byName['@kosha/cli']) {
    const help = run(join(project, 'node_modules', '.bin', 'kosha'), ['--help'], project);
    if (help.status !== 0 || !help.stdout.startsWith('Usage: kosha'))
      fail(
        '@kosha/cli',
        `node_modules/.bin/kosha --help failed from the tarball:\n${help.stdout}${help.stderr}`,
      );
  }
  console.log(
    `packages: the packed kit installs without ${absent.join(', ')} and its test passes; require() loads every package but @kosha/conformance; the kosha binary runs`,
  );
}

/** The user's test: plain JavaScript, decorators applied by hand as TypeScript's legacy mode emits them. */
function kitTest() {
  return `
import { cacheable, column, DbRepo, entity, id, table } from '@kosha/core';
import { createTestKosha, defineFactory } from '@kosha/testing';
import { koshaTest } from '@kosha/testing/vitest';
import { expect, test as plain } from 'vitest';

class Pet {}
entity(Pet);
table('kit_pet')(Pet);
id()(Pet.prototype, 'id');
column({ type: 'string', length: 50 })(Pet.prototype, 'name');

class PetRepo extends DbRepo {
  constructor() { super(Pet); }
  async named(name) { return this.findByField('name', name); }
}
const named = Object.getOwnPropertyDescriptor(PetRepo.prototype, 'named');
Object.defineProperty(PetRepo.prototype, 'named', cacheable({ keyPrefix: 'pet' })(PetRepo.prototype, 'named', named) ?? named);

// 'reset': the test commits for real, so the @cacheable put happens (a rolled-back test drops it).
const test = koshaTest({ entities: [Pet], isolation: 'reset' });

test('fixtures, factories and the cache inspector work from the tarballs', async ({ fixtures, cache }) => {
  await fixtures.load(Pet, [{ name: 'Rex' }]);
  await defineFactory(Pet, (i) => ({ name: 'Pet ' + i })).create(2);
  const repo = new PetRepo();
  expect(await repo.count()).toBe(3);
  expect((await repo.named('Rex')).name).toBe('Rex');
  expect((await repo.named('Rex')).name).toBe('Rex');
  expect([cache.misses, cache.hits]).toEqual([1, 1]);
  expect(await cache.has('pet:Rex')).toBe(true);
});

plain('@kosha/nestjs from its tarball: KoshaTestingModule gives a Nest app its Kosha, closed with it', async () => {
  const { Module } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const { Kosha } = await import('@kosha/core');
  const { KoshaTestingModule } = await import('@kosha/nestjs/testing');
  class App {}
  Module({ imports: [KoshaTestingModule.forRoot({ entities: [Pet], setDefault: false })] })(App);
  const app = await NestFactory.createApplicationContext(App, { logger: false, abortOnError: false });
  const kosha = app.get(Kosha);
  expect(kosha).toBeInstanceOf(Kosha);
  await app.close();
  expect(kosha.closed).toBe(true);
});

plain('createTestKosha works without the vitest helper', async () => {
  const kit = await createTestKosha({ entities: [Pet] });
  try {
    await kit.load(Pet, [{ name: 'Tom' }]);
    expect(await new PetRepo().count()).toBe(1);
  } finally {
    await kit.close();
  }
});
`;
}
