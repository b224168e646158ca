#!/usr/bin/env node
// Checks the code blocks of docs/**/*.md, README.md and packages/*/README.md as a user copying them
// would meet them, against the built packages:
//
// 1. Every ```ts block type-checks, each as its own module, three times: with the repository's base
//    config (legacy decorators), and with the strict flags `tsc --init` writes (TSC_INIT) in each
//    decorator mode — TC39 standard decorators and `experimentalDecorators`.
// 2. The blocks marked `run` run with Node (from the strict builds, so in both modes), and those
//    marked `test` run with vitest in both modes, through the guide's own vitest.config.ts.
//
// The info string of a block says what it is: ```ts [file=PATH] [mode=tc39|legacy] [run] [test]
//   file=PATH  a file of the guide's example project (getting-started.md, testing.md): written at PATH
//              in one project folder, so that its relative imports resolve. scripts/check-first-run.mjs
//              builds a fresh project from the same blocks.
//   mode=M     the block belongs to decorator mode M only (its tsconfig.json, its vitest.config.ts).
//   run        runs with `node` after the build and must exit with 0.
//   test       a vitest test file of the project, run with `vitest run`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { blocksOf, root } from './doc-blocks.mjs';

const docs = join(root, 'docs');
const out = join(docs, '.snippets');

/** The type-checking flags `tsc --init` (TypeScript 5.9 and 7) writes; the guide's tsconfig.json has them too. */
const TSC_INIT = {
  module: 'nodenext',
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  noUncheckedSideEffectImports: true,
  moduleDetection: 'force',
  skipLibCheck: true,
};

/**
 * Snippets that fail under the strict flags only because a library type rejects `undefined` for an
 * optional option (`exactOptionalPropertyTypes`). The types are being fixed on another branch: once
 * it is merged these stop failing, and this script then asks for each entry to be removed — empty
 * the list. An entry matches an error whose message names exactOptionalPropertyTypes, on a line of
 * `doc` that contains `line`; any other error still fails the check.
 */
const KNOWN_STRICT_FAILURES = [];

const CONFIGS = [
  { name: 'base', mode: 'legacy', label: "the repository's base config, legacy decorators" },
  {
    name: 'strict-tc39',
    mode: 'tc39',
    label: 'tsc --init strict flags, TC39 decorators',
    compilerOptions: { ...TSC_INIT, target: 'es2024', types: ['node'] },
  },
  {
    name: 'strict-legacy',
    mode: 'legacy',
    label: 'tsc --init strict flags, legacy decorators',
    compilerOptions: { ...TSC_INIT, target: 'es2024', types: ['node'], experimentalDecorators: true },
  },
];

const sources = [
  join(root, 'README.md'),
  // docs/ and its folders (docs/decorators/…), every Markdown file.
  ...readdirSync(docs, { recursive: true })
    .filter((f) => f.endsWith('.md') && !/^(node_modules|api|\.snippets)[\\/]/.test(f))
    .map((f) => join(docs, f)),
  ...readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'README.md')),
];

const all = sources.flatMap(blocksOf);
const tsBlocks = all.filter((b) => b.lang === 'ts');
const failures = [];
const allowed = new Set();

// The guide's tsconfig.json blocks must carry the flags this script checks with.
for (const b of all.filter((b) => b.attrs.file === 'tsconfig.json')) {
  const options = JSON.parse(b.code.replace(/^\s*\/\/.*$/gm, '')).compilerOptions;
  for (const [key, value] of Object.entries(TSC_INIT)) {
    if (options[key] !== value) {
      failures.push(
        `${b.doc}:${b.line}: tsconfig.json (mode ${b.attrs.mode}) has ${key}: ${JSON.stringify(options[key])}, the check uses ${JSON.stringify(value)}`,
      );
    }
  }
}

/** Writes the snippets of one configuration; returns generated file → { block, js }. */
function writeSnippets(config) {
  const dir = join(out, config.name);
  const files = new Map();
  for (const b of tsBlocks) {
    if (b.attrs.mode && b.attrs.mode !== config.mode) continue;
    const stem = `${b.doc.replace(/[/.]/g, '_')}_L${b.line}`;
    let path;
    if (b.attrs.file) path = join(dir, 'project', b.attrs.file);
    else if (b.attrs.test) path = join(dir, 'project', 'test', `${stem}.test.ts`);
    else path = join(dir, `${stem}.ts`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, b.attrs.file ? b.code : `${b.code}\nexport {};\n`);
    const js = join(dir, 'out', relative(dir, path)).replace(/\.ts$/, '.js');
    files.set(path, { block: b, js });
  }
  const tsconfig = config.compilerOptions
    ? {
        compilerOptions: { ...config.compilerOptions, rootDir: '.', outDir: 'out', noEmit: false },
        include: ['**/*.ts'],
      }
    : { extends: '../../tsconfig.json', include: ['**/*.ts'] };
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  return { dir, files };
}

/** Runs tsc on one configuration; records errors that are not known strict failures. */
function typeCheck(config, { dir, files }) {
  const r = spawnSync('tsc', ['-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], {
    cwd: root,
    encoding: 'utf8',
  });
  const errors = [];
  for (const line of `${r.stdout}${r.stderr}`.split('\n')) {
    const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    if (m) errors.push({ file: join(root, m[1]), line: Number(m[2]), code: m[4], text: m[5] });
    else if (line.startsWith(' ') && errors.length > 0) errors.at(-1).text += `\n${line}`;
    else if (line.trim()) errors.push({ text: line });
  }
  for (const e of errors) {
    const where = files.get(e.file)?.block;
    if (!where) {
      failures.push(`(${config.label}) ${e.code ?? ''} ${e.text}`);
      continue;
    }
    const docLine = where.line + e.line - 1;
    const source = readFileSync(join(root, where.doc), 'utf8').split('\n')[docLine - 1] ?? '';
    const known = KNOWN_STRICT_FAILURES.find(
      (k) =>
        config.compilerOptions &&
        k.doc === where.doc &&
        source.includes(k.line) &&
        e.text.includes('exactOptionalPropertyTypes'),
    );
    if (known) allowed.add(known);
    else failures.push(`${where.doc}:${docLine} (${config.label}): error ${e.code}: ${e.text}`);
  }
}

const env = { ...process.env, NO_COLOR: '1' }; // plain text in the failure reports
delete env.FORCE_COLOR;
delete env.NODE_PATH; // the repository's node shim sets it; a user's shell does not

let ran = 0;
let tested = 0;
rmSync(out, { recursive: true, force: true });
const index = [];
for (const config of CONFIGS) {
  const written = writeSnippets(config);
  for (const [path, { block }] of written.files)
    index.push(`${relative(out, path)} ← ${block.doc}:${block.line}`);
  const before = failures.length;
  typeCheck(config, written);
  if (!config.compilerOptions || failures.length > before) continue;

  for (const { block, js } of written.files.values()) {
    if (!block.attrs.run) continue;
    const r = spawnSync(process.execPath, [js], { cwd: dirname(js), env, encoding: 'utf8', timeout: 60_000 });
    ran++;
    if (r.status !== 0) {
      failures.push(
        `${block.doc}:${block.line} (${config.label}): the block marked run exited with ${r.status ?? r.signal}:\n${r.stdout}${r.stderr}`,
      );
    }
  }
  const project = join(written.dir, 'project');
  const tests = [...written.files.values()].filter(
    (f) => f.block.attrs.test || f.block.attrs.file?.endsWith('.test.ts'),
  );
  if (tests.length > 0) {
    const r = spawnSync('vitest', ['run', '--root', project], {
      cwd: project,
      env,
      encoding: 'utf8',
      timeout: 180_000,
    });
    tested += tests.length;
    if (r.status !== 0) {
      failures.push(
        `(${config.label}) vitest run on the test blocks (${tests.map((t) => `${t.block.doc}:${t.block.line}`).join(', ')}) failed:\n${r.stdout}${r.stderr}`,
      );
    }
  }
}
writeFileSync(join(out, 'INDEX.txt'), `${index.join('\n')}\n`);

for (const k of KNOWN_STRICT_FAILURES) {
  if (!allowed.has(k)) {
    failures.push(
      `KNOWN_STRICT_FAILURES in scripts/check-docs.mjs: ${k.doc} "${k.line}" type-checks now; remove the entry.`,
    );
  }
}
if (failures.length > 0) {
  for (const f of failures) console.error(`docs: ${f}`);
  console.error(
    `docs: ${failures.length} problem(s); the generated files are in docs/.snippets (INDEX.txt says where each came from)`,
  );
  process.exit(1);
}
console.log(
  `docs: ${tsBlocks.length} code blocks type-check (${CONFIGS.map((c) => c.label).join('; ')}); ${ran} runs of blocks marked run and ${tested} vitest test files passed, in both decorator modes` +
    (allowed.size > 0 ? `; ${allowed.size} known strict failure(s) allowed (KNOWN_STRICT_FAILURES)` : ''),
);
