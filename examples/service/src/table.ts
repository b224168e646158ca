import type { StepResult } from './scenario.js';

/** The scenario's rows as a plain-text table, one line per step. */
export function formatTable(rows: readonly StepResult[]): string {
  const header = ['#', 'step', 'request', 'HTTP', 'SQL', 'cache hit/miss', 'result'];
  const body = rows.map((r, i) => [
    String(i + 1),
    r.step,
    r.request,
    r.status === undefined ? '-' : String(r.status),
    String(r.sql),
    `${r.hits} / ${r.misses}`,
    r.ok ? 'ok' : `FAILED: ${r.note}`,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === 3 || c === 4 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
