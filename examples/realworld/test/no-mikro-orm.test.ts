import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

// The acceptance point of issue 14: a RealWorld app on Kosha needs neither MikroORM's API nor its types.
describe('the app uses Kosha only', () => {
  const sources = filesUnder(join(root, 'src'));

  it('has sources to check', () => {
    expect(sources.filter((f) => f.endsWith('.ts')).length).toBeGreaterThan(5);
  });

  it('no file under src/ uses this.em or imports @mikro-orm/*', () => {
    const offences: string[] = [];
    for (const file of sources) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        const where = `${relative(root, file)}:${i + 1}: ${line.trim()}`;
        if (/this\.em\b|\.em\./.test(line)) offences.push(where);
        if (/(from|import|require)\s*\(?\s*['"]@mikro-orm\//.test(line)) offences.push(where);
      });
    }
    expect(offences).toEqual([]);
  });

  it('depends on no @mikro-orm package but the database drivers @kosha/orm-mikro loads', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const ormMikro = JSON.parse(readFileSync(join(root, '../../packages/orm-mikro/package.json'), 'utf8'));
    // The drivers are optional peers of @kosha/orm-mikro: the app names the ones it runs on.
    const drivers = Object.keys(ormMikro.peerDependenciesMeta).filter(
      (name) => ormMikro.peerDependenciesMeta[name].optional && name !== '@mikro-orm/sql',
    );
    const listed = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((n) =>
      n.startsWith('@mikro-orm/'),
    );
    expect(listed.filter((name) => !drivers.includes(name))).toEqual([]);
    expect(listed.length).toBeGreaterThan(0);
  });
});
