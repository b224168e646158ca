// `npm run demo`: starts the library service on 127.0.0.1, drives the scenario over HTTP, prints the
// table and exits 0 when every step behaved (1 when one did not). `--serve` keeps it running for curl;
// `--express` serves the same API with Express instead of Fastify.

// First: on a Node.js too old for MikroORM 7 the demo says so and exits 1.
import './node-version.js';
import { runScenario } from './scenario.js';
import { startService } from './service.js';
import { formatTable } from './table.js';

const serve = process.argv.includes('--serve');
const framework = process.argv.includes('--express') ? 'express' : 'fastify';
const port = serve && process.env.PORT ? Number(process.env.PORT) : 0;

const service = await startService({ framework, port });
let failed = true;
try {
  console.log(
    `Kosha demo: ${framework === 'express' ? 'an Express' : 'a Fastify'} service on ${service.url}`,
  );
  console.log(`database ${service.database}   cache ${service.cache}\n`);
  const rows = await runScenario(service);
  console.log(formatTable(rows));
  console.log(
    '\nSQL: statements sent, BEGIN and COMMIT included. Each request is one transaction, committed before the',
  );
  console.log(
    'response is written; it begins at its first statement, so a request that runs none (a cache hit) sends nothing.',
  );
  console.log(
    'Cache: provider reads; a miss may read twice (once more under the single-flight lock when another load of the key just finished).',
  );
  failed = rows.some((r) => !r.ok);
  const detached = service.instruments.warnings.filter((w) => /session/i.test(w));
  if (detached.length > 0) console.log(`\nKosha said (the job ran outside any request): ${detached[0]}`);
  console.log(
    failed
      ? '\nSome steps did not behave as expected (see FAILED above).'
      : '\nEvery step behaved: SQL counted from mikroOrm({ debug: true }), cache reads from the provider.',
  );
} catch (error) {
  console.error(error);
}

if (serve && !failed) {
  const u = service.url;
  console.log(`\nServing on ${u} — try (Ctrl-C stops it):
  curl -s -X POST ${u}/authors -H 'content-type: application/json' -d '{"name":"Grace Hopper"}'
  curl -s ${u}/authors/1
  curl -s -X PATCH ${u}/authors/1 -H 'content-type: application/json' -d '{"name":"Ada Byron"}'
  curl -s -X POST ${u}/authors/1/books -H 'content-type: application/json' -d '{"books":[{"title":"A","isbn":"1-1"}]}'
  curl -s ${u}/authors/1/books`);
  const stop = () => {
    service.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  await service.close();
  process.exitCode = failed ? 1 : 0;
}
