import { ConfigError } from '@kosha/core';

/**
 * The oldest Node.js `@kosha/orm-mikro` runs on (its `engines`): MikroORM 7 needs 22.17, and the
 * better-sqlite3 13 under `@mikro-orm/sqlite` crashes older ones with a segmentation fault, no message.
 */
export const NODE_NEEDED = '22.17.0';

const parse = (version: string): number[] => version.replace(/^v/, '').split('.').map(Number);

/** What is wrong with running on Node.js `version` (this process's by default), or `undefined`. */
export function nodeVersionProblem(
  version: string = process.versions.node,
  binary: string = process.execPath,
): string | undefined {
  const [major = 0, minor = 0, patch = 0] = parse(version);
  const [needMajor, needMinor, needPatch] = parse(NODE_NEEDED) as [number, number, number];
  const old =
    major !== needMajor ? major < needMajor : minor !== needMinor ? minor < needMinor : patch < needPatch;
  if (!old) return undefined;
  return (
    `@kosha/orm-mikro needs Node.js >= ${NODE_NEEDED.replace(/\.0$/, '')} (MikroORM 7 does, and on an older Node ` +
    `the SQLite driver better-sqlite3 crashes the process), but this is Node.js v${version} (${binary}). ` +
    'Run a newer Node: `nvm install 24` (or fnm, volta, your system packages), or pin it in your project ' +
    'with the `node` npm package as a dev dependency (`npm i -D node@24`): npm and pnpm scripts then run on it.'
  );
}

// At import, before MikroORM or a driver is loaded: an old Node gets this message, not a crash.
const problem = nodeVersionProblem();
if (problem) throw new ConfigError(problem);
