// The fenced code blocks of a Markdown page, with the attributes of their info string, for the
// scripts that check the docs (check-docs.mjs, check-first-run.mjs) and docs/test.
//
//   ```ts file=src/main.ts mode=tc39 run
//
// gives { lang: 'ts', attrs: { file: 'src/main.ts', mode: 'tc39', run: true } }: a word `key=value`
// is a value, a bare word a flag.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The repository's root. */
export const root = join(import.meta.dirname, '..');

/**
 * Every fenced block of `file`: `doc` (its path from the repository root), `line` (of the block's
 * first line of code), `lang`, `attrs` and `code`. A file that does not exist has none.
 */
export function blocksOf(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const blocks = [];
  const re = /^```(\w*)([^\n]*)\n([\s\S]*?)^```/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const attrs = {};
    for (const word of m[2].trim().split(/\s+/).filter(Boolean)) {
      const at = word.indexOf('=');
      if (at === -1) attrs[word] = true;
      else attrs[word.slice(0, at)] = word.slice(at + 1);
    }
    const line = text.slice(0, m.index).split('\n').length + 1;
    blocks.push({ doc: relative(root, file), line, lang: m[1], attrs, code: m[3] });
  }
  return blocks;
}
