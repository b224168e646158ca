// Packs the workspace's packages as `npm publish` would (`pnpm pack` rewrites `workspace:` ranges):
// shared by the package, install and first-run checks. pnpm runs on this process's Node (the repo's
// pinned one), whatever `node` the caller's PATH has.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const pnpmCli = join(root, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');

/** The publishable packages under packages/ (not marked private): their folder, path and manifest. */
export function publishablePackages() {
  return readdirSync(join(root, 'packages'))
    .map((dir) => ({ dir, path: join(root, 'packages', dir) }))
    .filter((p) => existsSync(join(p.path, 'package.json')))
    .map((p) => ({ ...p, manifest: JSON.parse(readFileSync(join(p.path, 'package.json'), 'utf8')) }))
    .filter((p) => !p.manifest.private);
}

/**
 * Packs the package in `path` into `destination`: `{ tarball }`, or `{ error }` with pnpm's output
 * when it failed or wrote no tarball of the expected name.
 */
export function pack(path, destination, env = process.env) {
  const manifest = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8'));
  const r = spawnSync(process.execPath, [pnpmCli, 'pack', '--pack-destination', destination], {
    cwd: path,
    encoding: 'utf8',
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  const tarball = join(
    destination,
    `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`,
  );
  if (r.status !== 0 || !existsSync(tarball)) return { error: `${r.stdout ?? ''}${r.stderr ?? ''}` };
  return { tarball };
}
