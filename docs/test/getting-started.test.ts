import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, expect, it, vi } from 'vitest';

const page = readFileSync(join(import.meta.dirname, '..', 'getting-started.md'), 'utf8');
const blocks = [...page.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
const dir = join(import.meta.dirname, '..', '.snippets', 'run');

afterEach(() => {
  vi.restoreAllMocks();
});

it('the getting-started page has code to run', () => {
  expect(blocks.length).toBeGreaterThan(0);
});

blocks.forEach((code, i) => {
  it(`getting-started block ${i + 1} runs and does what the page says`, async () => {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `getting-started-${i + 1}.ts`);
    writeFileSync(file, code);
    const printed: unknown[][] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      printed.push(args);
    });
    await import(pathToFileURL(file).href);
    // The page's example registers Ada and prints her id and the row count.
    expect(printed).toEqual([[1, 1]]);
  });
});
