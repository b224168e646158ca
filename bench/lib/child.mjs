// Runs one scenario in a process of its own (a clean heap, `--expose-gc`, no JIT state from the others)
// and sends its rows to the runner. argv: <scenario file> [--quick].
import { pathToFileURL } from 'node:url';
import { context } from './harness.mjs';

const file = process.argv[2];
const scenario = (await import(pathToFileURL(file).href)).default;
try {
  const rows = await scenario.run(context(process.argv));
  process.send({ rows });
} catch (error) {
  process.send({ error: error?.stack ?? String(error) });
}
process.disconnect();
