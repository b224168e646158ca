// The plugin author's guide, run: the cache provider it shows passes the cache conformance suite, as the
// page says it does.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheConformance } from '@kosha/conformance';
import type { CacheProvider } from '@kosha/core';
import { test } from 'vitest';

const page = readFileSync(join(import.meta.dirname, '..', 'plugins.md'), 'utf8');
const block = [...page.matchAll(/^```ts\n([\s\S]*?)^```/gm)]
  .map((m) => m[1]!)
  .find((code) => code.includes('export function mapCache('));
if (!block) throw new Error('docs/plugins.md no longer shows `export function mapCache(`: update this test.');

const dir = join(import.meta.dirname, '..', '.snippets', 'run');
mkdirSync(dir, { recursive: true });
const file = join(dir, 'plugins-map-cache.ts');
writeFileSync(file, block);
const { mapCache } = (await import(pathToFileURL(file).href)) as { mapCache: () => CacheProvider };

cacheConformance(test, () => mapCache(), { name: 'docs/plugins.md mapCache' });
