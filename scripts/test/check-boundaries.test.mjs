// scripts/check-boundaries.mjs on a small workspace written for each test: clean, it passes; each kind of
// violation the rule names makes it fail with a line that says where and what.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkBoundaries, specifiers } from '../check-boundaries.mjs';

const script = join(import.meta.dirname, '..', 'check-boundaries.mjs');
const dirs = [];

/** A workspace: packages/core, conformance, testing and two plugins, every import within the rules. */
function workspace(extra = {}) {
  const files = {
    'pnpm-workspace.yaml': 'packages:\n  - packages/*\n  - examples/*\n',
    'packages/core/package.json': { name: '@kosha/core' },
    'packages/core/src/index.ts': "export * from './kosha.js';\n",
    'packages/core/src/kosha.ts':
      "/**\n * ```ts\n * import { mikroOrm } from '@kosha/orm-mikro';\n * ```\n */\nexport const kosha = 1;\n",
    'packages/core/test/kosha.test.ts':
      "import { kosha } from '@kosha/core';\nimport { x } from '../src/kosha.js';\n",
    'packages/conformance/package.json': {
      name: '@kosha/conformance',
      peerDependencies: { '@kosha/core': 'workspace:^' },
    },
    'packages/conformance/src/index.ts': "import { kosha } from '@kosha/core';\n",
    'packages/orm-mikro/package.json': {
      name: '@kosha/orm-mikro',
      peerDependencies: { '@kosha/core': 'workspace:^' },
      devDependencies: { '@kosha/conformance': 'workspace:^', '@kosha/testing': 'workspace:^' },
    },
    'packages/orm-mikro/src/index.ts':
      "import type { Kosha } from '@kosha/core';\n// import '@kosha/cache-redis';\n",
    'packages/orm-mikro/test/suite.test.ts':
      "import {\n  backendConformance,\n} from '@kosha/conformance';\nimport { testDatabases } from '@kosha/testing';\n",
    'packages/cache-redis/package.json': { name: '@kosha/cache-redis' },
    'packages/cache-redis/src/index.ts': "export const url = 'redis://localhost/0';\n",
    'packages/testing/package.json': {
      name: '@kosha/testing',
      dependencies: { '@kosha/orm-mikro': 'workspace:^', '@kosha/cache-redis': 'workspace:^' },
    },
    'packages/testing/src/index.ts':
      "import { mikroOrm } from '@kosha/orm-mikro';\nimport '@kosha/cache-redis';\n",
    'examples/app/package.json': { name: 'app' },
    'examples/app/src/main.ts':
      "import { mikroOrm } from '@kosha/orm-mikro';\nimport '../../../vitest.modes.js';\n",
    ...extra,
  };
  const root = mkdtempSync(join(tmpdir(), 'kosha-boundaries-'));
  dirs.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

const run = (root) => spawnSync('node', [script, root], { encoding: 'utf8' });

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('scripts/check-boundaries.mjs', () => {
  it('passes a workspace that keeps the rules (JSDoc examples and comments are not imports)', () => {
    const r = run(workspace());
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/keep the package boundaries/);
  });

  it('passes this repository', () => {
    expect(execFileSync('node', [script], { encoding: 'utf8' })).toMatch(/keep the package boundaries/);
  });

  /** The NestJS module: it may install either HTTP adapter and build on the kit, all optional peers. */
  const nestjs = (peerMeta = { optional: true }) => ({
    'packages/nestjs/package.json': {
      name: '@kosha/nestjs',
      peerDependencies: { '@kosha/core': 'workspace:^', '@kosha/http-express': 'workspace:^' },
      peerDependenciesMeta: { '@kosha/http-express': peerMeta },
    },
    'packages/nestjs/src/index.ts':
      "const { dbMiddleware } = await import('@kosha/http-express');\nimport { createTestKosha } from '@kosha/testing';\n",
  });

  it('passes the NestJS module importing an HTTP adapter and the kit, optional peers', () => {
    const r = run(workspace(nestjs()));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  const cases = [
    [
      'the NestJS module importing a plugin that is not an HTTP adapter',
      { ...nestjs(), 'packages/nestjs/src/orm.ts': "import { mikroOrm } from '@kosha/orm-mikro';\n" },
      /nestjs\/src\/orm\.ts:1: @kosha\/nestjs \(framework, src\) may not import @kosha\/orm-mikro/,
    ],
    [
      'the NestJS module listing an HTTP adapter as a peer that is not optional',
      nestjs({}),
      /@kosha\/nestjs \(framework\) lists @kosha\/http-express as a peer that is not optional/,
    ],
    [
      'core importing a plugin',
      { 'packages/core/src/x.ts': "import { mikroOrm } from '@kosha/orm-mikro';\n" },
      /packages\/core\/src\/x\.ts:1: @kosha\/core \(core\) may not import @kosha\/orm-mikro/,
    ],
    [
      "core's tests importing the conformance package",
      { 'packages/core/test/y.test.ts': "import { cacheConformance } from '@kosha/conformance';\n" },
      /@kosha\/core \(core\) may not import @kosha\/conformance; it may import no @kosha package/,
    ],
    [
      'a plugin importing another plugin',
      { 'packages/orm-mikro/src/x.ts': "export { redisCache } from '@kosha/cache-redis';\n" },
      /@kosha\/orm-mikro \(plugin, src\) may not import @kosha\/cache-redis/,
    ],
    [
      "a plugin's source importing the test kit",
      { 'packages/orm-mikro/src/y.ts': "const kit = await import('@kosha/testing');\n" },
      /orm-mikro\/src\/y\.ts:1: .*may not import @kosha\/testing; it may import @kosha\/core\./,
    ],
    [
      'a plugin test reaching into another package by path',
      { 'packages/cache-redis/test/z.test.ts': "import { h } from '../../core/test/harness.js';\n" },
      /cache-redis\/test\/z\.test\.ts:1: '\.\.\/\.\.\/core\/test\/harness\.js' reaches into @kosha\/core's folder/,
    ],
    [
      'an example reaching into a package by path',
      { 'examples/app/src/other.ts': "import x from '../../../packages/testing/src/index.js';\n" },
      /examples\/app\/src\/other\.ts:1: .*reaches into @kosha\/testing's folder/,
    ],
    [
      'the conformance package importing the test kit',
      { 'packages/conformance/src/z.ts': "import {\n  createTestKosha,\n} from '@kosha/testing/vitest';\n" },
      /conformance\/src\/z\.ts:1: @kosha\/conformance \(conformance\) may not import @kosha\/testing/,
    ],
    [
      'a plugin declaring another plugin',
      {
        'packages/cache-redis/package.json': {
          name: '@kosha/cache-redis',
          devDependencies: { '@kosha/orm-mikro': 'workspace:^' },
        },
      },
      /cache-redis\/package\.json: @kosha\/cache-redis \(plugin\) may not list @kosha\/orm-mikro in devDependencies/,
    ],
    [
      'a plugin depending on the test kit at run time',
      {
        'packages/cache-redis/package.json': {
          name: '@kosha/cache-redis',
          dependencies: { '@kosha/testing': 'workspace:^' },
        },
      },
      /may not list @kosha\/testing in dependencies; allowed there: @kosha\/core/,
    ],
    [
      'core depending on a @kosha package',
      {
        'packages/core/package.json': { name: '@kosha/core', devDependencies: { '@kosha/conformance': '*' } },
      },
      /core\/package\.json: @kosha\/core \(core\) may not list @kosha\/conformance in devDependencies/,
    ],
  ];

  for (const [what, extra, message] of cases) {
    it(`fails on ${what}`, () => {
      const r = run(workspace(extra));
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/1 violation\(s\)/);
    });
  }

  it('reads static, multi-line, side-effect, re-export and dynamic imports, not comments', () => {
    const text = [
      "import a from 'a';",
      "import type { B } from 'b';",
      'import {',
      '  c,',
      "} from 'c';",
      "import 'd';",
      "export * from 'e';",
      "const f = await import('f');",
      "// import g from 'g';",
      '/*',
      "import h from 'h';",
      '*/',
      " * import i from 'i';",
      "const url = 'postgresql://u@h/db';",
    ].join('\n');
    expect(specifiers(text)).toEqual([
      { spec: 'a', line: 1 },
      { spec: 'b', line: 2 },
      { spec: 'c', line: 3 },
      { spec: 'd', line: 6 },
      { spec: 'e', line: 7 },
      { spec: 'f', line: 8 },
    ]);
  });

  it('reports counts for a clean tree', () => {
    const { problems, members } = checkBoundaries(workspace());
    expect(problems).toEqual([]);
    expect(members).toBe(6);
  });
});
