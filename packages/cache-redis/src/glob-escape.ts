/**
 * Escapes text for a Redis glob (`SCAN MATCH`): each of `*`, `?`, `[` and `\` becomes a one-character
 * class (`[*]`, `[?]`, `[[]`, `[\\]`), so the pattern matches the text literally. Classes rather than
 * backslashes because they read the same in Redis and in ioredis-mock, whose glob ignores backslash
 * escapes; callers still check `startsWith` on every key returned, so no pattern can reach beyond it.
 */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\\]/g, (c) => (c === '\\' ? '[\\\\]' : `[${c}]`));
}
