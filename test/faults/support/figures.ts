import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One measured value of a fault case. */
export type FigureValue = number | string | boolean;

/** One `figure()` call as stored in `FIGURES_FILE`. */
export interface FigureRecord {
  /** Case name as given. */
  case: string;
  /** The figures, in the order given. */
  values: Record<string, FigureValue>;
  /** ISO time of the call. */
  at: string;
}

/** JSON Lines file every `figure()` appends to; emptied when a faults run starts (global setup). */
export const FIGURES_FILE = fileURLToPath(
  new URL('../node_modules/.cache/kosha-faults/figures.jsonl', import.meta.url),
);

const KEY = /^[A-Za-z][A-Za-z0-9_]*$/;

function formatValue(v: FigureValue): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000);
  const s = String(v);
  return /^[\w.:/+-]+$/.test(s) ? s : JSON.stringify(s);
}

/** The `[fault] <case>: key=value …` line for one case. */
export function formatFigure(caseName: string, values: Record<string, FigureValue>): string {
  if (/[\r\n]/.test(caseName) || !caseName.trim())
    throw new Error(`figure: bad case name ${JSON.stringify(caseName)}`);
  const pairs = Object.entries(values).map(([k, v]) => {
    if (!KEY.test(k)) throw new Error(`figure: key ${JSON.stringify(k)} must match ${KEY}`);
    return `${k}=${formatValue(v)}`;
  });
  return `[fault] ${caseName}: ${pairs.join(' ')}`;
}

/** Prints one grep-able line of figures for a case and appends it to `FIGURES_FILE`; returns the line. */
export function figure(caseName: string, values: Record<string, FigureValue>): string {
  const line = formatFigure(caseName, values);
  console.log(line);
  const record: FigureRecord = { case: caseName, values, at: new Date().toISOString() };
  mkdirSync(dirname(FIGURES_FILE), { recursive: true });
  appendFileSync(FIGURES_FILE, `${JSON.stringify(record)}\n`);
  return line;
}

/** Every record in `FIGURES_FILE` (a torn last line is skipped). */
export function readFigures(): FigureRecord[] {
  if (!existsSync(FIGURES_FILE)) return [];
  return readFileSync(FIGURES_FILE, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return line ? [JSON.parse(line) as FigureRecord] : [];
      } catch {
        return [];
      }
    });
}

/** The summary block of a run: one `[fault]` line per record, or `''` when there are none. */
export function figuresSummary(records: FigureRecord[] = readFigures()): string {
  if (records.length === 0) return '';
  const lines = records.map((r) => formatFigure(r.case, r.values));
  return [`[fault] summary: cases=${records.length}`, ...lines].join('\n');
}

/** Empties `FIGURES_FILE`. */
export function resetFigures(): void {
  rmSync(FIGURES_FILE, { force: true });
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Settles like `promise`, or rejects with `<label>: no answer within <ms> ms` first. */
export function within<T>(promise: Promise<T>, ms: number, label = 'wait'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Limits of a `bounded()` loop; both are required so no loop in a case can run away. */
export interface BoundedOptions {
  /** At most this many iterations (a positive integer). */
  maxIterations: number;
  /** At most this long in total, a hung iteration included (ms). */
  maxMs: number;
  /** Pause between iterations (ms), for polling; 0 by default. */
  intervalMs?: number;
}

/** How a `bounded()` loop ended. */
export interface BoundedResult {
  /** Iterations that completed. */
  iterations: number;
  /** Total time (ms). */
  elapsedMs: number;
  /** `stopped`: the body returned `'stop'`; `iterations`: it ran `maxIterations`; `time`: `maxMs` passed. */
  ended: 'stopped' | 'iterations' | 'time';
}

/** A loop body: gets the iteration index and a signal aborted when time runs out; returns `'stop'` to end. */
export type BoundedBody = (
  iteration: number,
  signal: AbortSignal,
) => 'stop' | undefined | Promise<'stop' | undefined>;

const TIME_UP = Symbol('time up');

/**
 * Runs `body` until it returns `'stop'`, `maxIterations` pass or `maxMs` elapse — whichever comes
 * first; an iteration still pending at the deadline is abandoned (its signal aborts). A throw ends
 * the loop and propagates.
 */
export async function bounded(body: BoundedBody, options: BoundedOptions): Promise<BoundedResult> {
  const { maxIterations, maxMs, intervalMs = 0 } = options;
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new Error('bounded: maxIterations ≥ 1');
  if (!Number.isFinite(maxMs) || maxMs <= 0) throw new Error('bounded: maxMs must be finite and > 0');
  const started = performance.now();
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<typeof TIME_UP>((resolve) => {
    timer = setTimeout(() => {
      ac.abort(new Error(`bounded: ${maxMs} ms elapsed`));
      resolve(TIME_UP);
    }, maxMs);
  });
  const done = (ended: BoundedResult['ended'], iterations: number): BoundedResult => ({
    iterations,
    elapsedMs: Math.round(performance.now() - started),
    ended,
  });
  try {
    for (let i = 0; i < maxIterations; i++) {
      const run = Promise.resolve().then(() => body(i, ac.signal));
      // An abandoned iteration may reject later: that must not become an unhandled rejection.
      run.catch(() => {});
      const out = await Promise.race([run, timeUp]);
      if (out === TIME_UP) return done('time', i);
      if (out === 'stop') return done('stopped', i + 1);
      if (intervalMs > 0 && i + 1 < maxIterations) {
        if ((await Promise.race([sleep(intervalMs), timeUp])) === TIME_UP) return done('time', i + 1);
      }
    }
    return done('iterations', maxIterations);
  } finally {
    clearTimeout(timer);
  }
}
