#!/usr/bin/env node
// The whole check, as `npm test` and CI run it: build, type-check (packages, tests and the docs'
// code blocks), lint, then every vitest project. Ends with one plain "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
const step = (name, cmd, args) => {
  const code = run(cmd, args);
  if (code !== 0) {
    console.error(`\ntest: ${name} failed (exit ${code})`);
    process.exit(code);
  }
};

step('build and typecheck', 'turbo', ['run', 'build', 'typecheck', '--output-logs=errors-only']);
step('packed packages (publint, attw, the kit from its tarballs)', 'node', ['scripts/check-packages.mjs']);
step('docs type-check', 'node', ['scripts/check-docs.mjs']);
step('API reference (TypeDoc)', 'pnpm', ['--silent', '--filter', '@kosha/docs', 'run', 'api']);
step('lint', 'biome', ['check', '.']);
step('package boundaries', 'node', ['scripts/check-boundaries.mjs']);

const report = join(root, 'node_modules', '.vitest-report.json');
rmSync(report, { force: true });
const code = run('vitest', [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
]);
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`\nvitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
}
process.exit(code);
