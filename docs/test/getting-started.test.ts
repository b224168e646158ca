import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, expect, it, vi } from 'vitest';
import { blocksOf } from '../../scripts/doc-blocks.mjs';

interface Block {
  lang: string;
  attrs: Record<string, string | true>;
  code: string;
}

const decorators = process.env.KOSHA_DECORATORS ?? 'legacy';
const page: Block[] = blocksOf(join(import.meta.dirname, '..', 'getting-started.md'));
const files = page.filter(
  (b) => b.lang === 'ts' && b.attrs.file && (!b.attrs.mode || b.attrs.mode === decorators),
);
const dir = join(import.meta.dirname, '..', '.snippets', `vitest-${decorators}`);

afterEach(() => {
  vi.restoreAllMocks();
});

it('the getting-started page has a program, its files and its output', () => {
  expect(files.map((b) => b.attrs.file)).toEqual(['src/users.ts', 'src/main.ts']);
  expect(page.filter((b) => b.attrs.output)).toHaveLength(1);
});

it(`the getting-started program prints what the page shows (${decorators} decorators)`, async () => {
  for (const b of files) {
    const path = join(dir, String(b.attrs.file));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, b.code);
  }
  const printed: string[] = [];
  const print = (...args: unknown[]) => {
    printed.push(args.join(' '));
  };
  vi.spyOn(console, 'log').mockImplementation(print);
  vi.spyOn(console, 'warn').mockImplementation(print);
  await import(pathToFileURL(join(dir, 'src', 'main.ts')).href);
  expect(printed).toEqual(
    page
      .find((b) => b.attrs.output)!
      .code.trim()
      .split('\n'),
  );

  // The mode the helper lowered: TC39 decorators give each class its Symbol.metadata object.
  const { User } = await import(pathToFileURL(join(dir, 'src', 'users.ts')).href);
  expect(Object.hasOwn(User, Symbol.metadata)).toBe(decorators === 'tc39');
});
