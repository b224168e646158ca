import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MIKRO_ORM_RANGE } from '../src/index.js';

// A published @kosha/orm-mikro that pins MikroORM exactly makes `npm i @mikro-orm/postgresql` fail with
// ERESOLVE as soon as MikroORM releases a patch, and gives pnpm users a second copy of @mikro-orm/core.
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  dependencies?: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};

describe('@kosha/orm-mikro depends on MikroORM by a range', () => {
  const peers = Object.entries(manifest.peerDependencies).filter(([name]) => name.startsWith('@mikro-orm/'));

  it('every @mikro-orm package is a peer dependency with the range MIKRO_ORM_RANGE', () => {
    expect(peers.map(([name]) => name).sort()).toEqual([
      '@mikro-orm/core',
      '@mikro-orm/mariadb',
      '@mikro-orm/migrations',
      '@mikro-orm/mysql',
      '@mikro-orm/postgresql',
      '@mikro-orm/sql',
      '@mikro-orm/sqlite',
    ]);
    for (const [name, range] of peers) expect(range, name).toBe(MIKRO_ORM_RANGE);
    expect(Object.keys(manifest.dependencies ?? {}).filter((n) => n.startsWith('@mikro-orm/'))).toEqual([]);
  });

  // @mikro-orm/migrations only for applications that migrate (kosha.migrations loads it at its first call).
  // @mikro-orm/sql comes with every driver. Required, npm would install the newest sql for it (7.2.5, which
  // peers on core 7.2.5) beside a driver that brings an older one (sqlite 7.2.2 on core 7.2.2): ERESOLVE.
  it('@mikro-orm/core is required; sql, the drivers and migrations are optional', () => {
    for (const [name] of peers) {
      const optional = manifest.peerDependenciesMeta[name]?.optional === true;
      expect(optional, name).toBe(name !== '@mikro-orm/core');
    }
  });
});
