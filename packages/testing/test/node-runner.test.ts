import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('the kit works under node:test, with no vitest involved', () => {
  const file = join(import.meta.dirname, 'node-runner', 'kit.node-test.mjs');
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', file], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.stdout + r.stderr).toMatch(/pass 3/);
  expect(r.status, r.stdout + r.stderr).toBe(0);
});
