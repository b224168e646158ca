import { createKosha, loadConfig } from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';
import { buildApp } from './app.js';
import { entities } from './entities.js';

// SQLite in memory unless DATABASE_URL says otherwise (postgresql://…, mariadb://…); the in-memory cache.
const config = await loadConfig();
const kosha = await createKosha({ orm: mikroOrm(config.orm), entities });
await kosha.schema.create();
const port = Number(process.env.PORT ?? 3000);
const server = buildApp(kosha).listen(port, () => {
  console.log(`Conduit API on http://localhost:${port}/api`);
});
const stop = () => server.close(() => void kosha.close());
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
