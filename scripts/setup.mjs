#!/usr/bin/env node
// Installs the workspace on a fresh clone with nothing but Node and npm: pnpm comes from the
// npm registry through npx (corepack is broken on this machine), and the root devDependency
// `node` puts Node 24 first on PATH for every pnpm script, since MikroORM 7 needs Node >= 22.17.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pnpmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies.pnpm;
const lock = join(root, 'pnpm-lock.yaml');
const stamp = join(root, 'node_modules', '.kosha-installed');

function upToDate() {
  if (!existsSync(stamp) || !existsSync(lock)) return false;
  return readFileSync(stamp, 'utf8') === String(statSync(lock).mtimeMs) + pnpmVersion;
}

if (!upToDate()) {
  const args = ['-y', `pnpm@${pnpmVersion}`, 'install', '--reporter=append-only'];
  if (existsSync(lock)) args.push('--frozen-lockfile');
  console.log(`kosha setup: installing the workspace with pnpm ${pnpmVersion} …`);
  try {
    execFileSync('npx', args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (error) {
    console.error(
      `kosha setup: \`npx ${args.join(' ')}\` failed (exit ${error.status ?? '?'}); its output is above.`,
    );
    process.exit(error.status || 1);
  }
  writeFileSync(stamp, String(statSync(lock).mtimeMs) + pnpmVersion);
}
