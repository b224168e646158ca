#!/usr/bin/env node
// The package boundaries of DESIGN §1, checked on every import of every workspace member and on the
// dependencies of each package in packages/:
// - @kosha/core imports and depends on no @kosha package;
// - @kosha/conformance imports and depends on @kosha/core only;
// - a plugin (any other package in packages/) imports @kosha/core only from src/; its tests may also import
//   @kosha/conformance and @kosha/testing, which it declares as devDependencies only;
// - @kosha/testing is the one assembler: it may use any package;
// - @kosha/nestjs, a framework module, is a plugin that may also import the HTTP adapters (it installs the one
//   of the app's platform) and the test kit (its /testing entry), each an optional peer dependency: a Nest
//   app on Express never needs @kosha/http-fastify, and production never needs the kit;
// - no file imports another workspace member's files by relative path (import the package by name).
// Biome's noRestrictedImports sees one file at a time: it cannot read package.json or tell a relative import
// that stays in its package from one that leaves it, hence this script.
// Usage: node scripts/check-boundaries.mjs [workspace root]. Prints one line per violation and exits 1.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

const CORE = '@kosha/core';
const CONFORMANCE = '@kosha/conformance';
const TESTING = '@kosha/testing';
/** What a framework module builds on, besides core: each an optional peer. */
const FRAMEWORK_PEERS = ['@kosha/http-express', '@kosha/http-fastify', TESTING];
const SOURCE = /\.(?:[cm]?[jt]s|tsx)$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', '.turbo', 'coverage', 'api', '.snippets']);

/** The workspace members pnpm-workspace.yaml names (`dir/*` patterns and plain directories). */
function members(root) {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const patterns = [...yaml.matchAll(/^\s*-\s*['"]?([^'"\s#]+)['"]?\s*$/gm)].map((m) => m[1]);
  const dirs = patterns.flatMap((p) => {
    if (!p.endsWith('/*')) return [join(root, p)];
    const parent = join(root, p.slice(0, -2));
    return existsSync(parent) ? readdirSync(parent).map((d) => join(parent, d)) : [];
  });
  return dirs
    .filter((d) => existsSync(join(d, 'package.json')))
    .map((dir) => {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const inPackages = relative(root, dir).split(sep)[0] === 'packages';
      return { dir, name: manifest.name, manifest, role: inPackages ? roleOf(manifest.name) : undefined };
    });
}

function roleOf(name) {
  if (name === CORE) return 'core';
  if (name === CONFORMANCE) return 'conformance';
  if (name === TESTING) return 'assembler';
  if (name === '@kosha/nestjs') return 'framework';
  return 'plugin';
}

/** The @kosha packages a file of this role may import (besides its own package). */
function allowedImports(role, isSource) {
  if (role === 'core') return [];
  if (role === 'conformance') return [CORE];
  if (role === 'plugin') return isSource ? [CORE] : [CORE, CONFORMANCE, TESTING];
  if (role === 'framework')
    return isSource ? [CORE, ...FRAMEWORK_PEERS] : [CORE, CONFORMANCE, ...FRAMEWORK_PEERS];
  return undefined; // the assembler: anything
}

/** What each dependency field of this role may name among the @kosha packages. */
function allowedDependencies(role, field) {
  if (role === 'core') return [];
  if (role === 'conformance') return [CORE];
  if (role === 'plugin') return field === 'devDependencies' ? [CORE, CONFORMANCE, TESTING] : [CORE];
  if (role === 'framework') {
    if (field === 'devDependencies') return [CORE, CONFORMANCE, ...FRAMEWORK_PEERS];
    return field === 'peerDependencies' ? [CORE, ...FRAMEWORK_PEERS] : [CORE];
  }
  return undefined;
}

function* files(dir) {
  for (const entry of readdirSync(dir)) {
    if (SKIP_DIRS.has(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (SOURCE.test(entry)) yield path;
  }
}

/**
 * The module specifiers of a file with their line numbers: static imports and re-exports (a statement at the
 * start of a line, as Biome formats them), side-effect imports, and literal `import('…')` / `require('…')`.
 * Lines inside block comments and JSDoc (` * import …` examples) are not code and are skipped.
 */
export function specifiers(text) {
  const found = [];
  const lines = text.split('\n');
  let inComment = false;
  let statement; // a static import still looking for its `from '…'`
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (inComment) {
      if (trimmed.includes('*/')) inComment = false;
      return;
    }
    if (trimmed.startsWith('/*')) {
      inComment = !trimmed.includes('*/');
      return;
    }
    if (trimmed.startsWith('//') || trimmed.startsWith('*')) return;
    if (statement) {
      const m = /\bfrom\s*['"]([^'"]+)['"]/.exec(trimmed);
      if (m) found.push({ spec: m[1], line: statement });
      if (m || trimmed.endsWith(';')) statement = undefined;
      return;
    }
    const start = /^(?:import|export)\b/.test(trimmed);
    if (start) {
      const from = /\bfrom\s*['"]([^'"]+)['"]/.exec(trimmed) ?? /^import\s*['"]([^'"]+)['"]/.exec(trimmed);
      if (from) found.push({ spec: from[1], line: i + 1 });
      else if (/^(?:import|export)\s+(?:type\s+)?[{*\w]/.test(trimmed) && !trimmed.endsWith(';'))
        statement = i + 1;
    }
    for (const m of trimmed.matchAll(/\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g))
      found.push({ spec: m[1], line: i + 1 });
  });
  return found;
}

/** The package a bare specifier names (`@kosha/testing/vitest` → `@kosha/testing`). */
const packageOf = (spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

export function checkBoundaries(root) {
  const all = members(root);
  const owner = (path) =>
    all
      .filter((m) => path === m.dir || path.startsWith(m.dir + sep))
      .sort((a, b) => b.dir.length - a.dir.length)[0];
  const problems = [];
  let scanned = 0;

  for (const member of all) {
    for (const file of files(member.dir)) {
      scanned++;
      const where = relative(root, file);
      const isSource = relative(member.dir, file).split(sep)[0] === 'src';
      for (const { spec, line } of specifiers(readFileSync(file, 'utf8'))) {
        if (spec.startsWith('.')) {
          const target = owner(resolve(dirname(file), spec));
          if (target && target !== member)
            problems.push(
              `${where}:${line}: '${spec}' reaches into ${target.name}'s folder by path: use what ${target.name} ` +
                'exports, by name, where the boundaries allow it.',
            );
          continue;
        }
        const pkg = packageOf(spec);
        if (!pkg.startsWith('@kosha/') || pkg === member.name || !member.role) continue;
        const allowed = allowedImports(member.role, isSource);
        if (allowed && !allowed.includes(pkg))
          problems.push(
            `${where}:${line}: ${member.name} (${member.role}${member.role === 'plugin' || member.role === 'framework' ? (isSource ? ', src' : ', tests') : ''}) ` +
              `may not import ${pkg}; it may import ${allowed.length ? allowed.join(', ') : 'no @kosha package'}.`,
          );
      }
    }
    if (!member.role) continue;
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']) {
      const allowed = allowedDependencies(member.role, field);
      if (!allowed) continue;
      for (const dep of Object.keys(member.manifest[field] ?? {})) {
        if (dep.startsWith('@kosha/') && !allowed.includes(dep))
          problems.push(
            `${relative(root, join(member.dir, 'package.json'))}: ${member.name} (${member.role}) may not list ${dep} ` +
              `in ${field}; allowed there: ${allowed.length ? allowed.join(', ') : 'no @kosha package'}.`,
          );
      }
    }
    if (member.role === 'framework') {
      for (const dep of Object.keys(member.manifest.peerDependencies ?? {})) {
        if (FRAMEWORK_PEERS.includes(dep) && member.manifest.peerDependenciesMeta?.[dep]?.optional !== true)
          problems.push(
            `${relative(root, join(member.dir, 'package.json'))}: ${member.name} (framework) lists ${dep} as a peer ` +
              'that is not optional: mark it in peerDependenciesMeta ({ "optional": true }).',
          );
      }
    }
  }
  return { problems, scanned, members: all.length };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));
  const { problems, scanned, members: count } = checkBoundaries(root);
  for (const p of problems) console.error(`boundaries: ${p}`);
  if (problems.length) {
    console.error(
      `boundaries: ${problems.length} violation(s); the rules are at the top of scripts/check-boundaries.mjs.`,
    );
    process.exit(1);
  }
  console.log(`boundaries: ${scanned} files of ${count} workspace members keep the package boundaries`);
}
