import { figuresSummary, resetFigures } from './figures.js';

/** Vitest global setup of the faults project: a fresh figures file per run, its summary at the end. */
export default function setup(): () => void {
  resetFigures();
  return () => {
    const summary = figuresSummary();
    if (summary) console.log(`\n${summary}`);
  };
}
