#!/usr/bin/env node
// Type-checks every ```ts block of docs/*.md, README.md and packages/*/README.md, each as its own
// module, against the built packages — what a user copying the snippet would compile.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const out = join(root, 'docs', '.snippets');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const sources = [
  join(root, 'README.md'),
  // docs/ and its folders (docs/decorators/…), every Markdown file.
  ...readdirSync(join(root, 'docs'), { recursive: true })
    .filter((f) => f.endsWith('.md') && !/^(node_modules|api|\.snippets)[\\/]/.test(f))
    .map((f) => join(root, 'docs', f)),
  ...readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'README.md')),
];

let count = 0;
const map = [];
for (const file of sources) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    continue;
  }
  const re = /^```ts\n([\s\S]*?)^```/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const line = text.slice(0, m.index).split('\n').length;
    const name = `${relative(root, file).replace(/[/.]/g, '_')}_L${line}.ts`;
    writeFileSync(join(out, name), `${m[1]}\nexport {};\n`);
    map.push(`${name} ← ${relative(root, file)}:${line}`);
    count++;
  }
}
writeFileSync(join(out, 'INDEX.txt'), map.join('\n'));
const r = spawnSync('tsc', ['-p', join(root, 'docs', 'tsconfig.json')], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  console.error(
    `docs: a code block does not type-check (see docs/.snippets/INDEX.txt for where each came from)`,
  );
  process.exit(r.status ?? 1);
}
console.log(`docs: ${count} code blocks type-check`);
