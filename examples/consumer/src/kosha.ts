import { createKosha, type Kosha, loadConfig } from '@kosha/core';
import '@kosha/orm-mikro';
import { Customer, Order } from './entities.js';

/** Production start-up: the database from `DATABASE_URL` (or `config.ini`), the cache from `REDIS_URL`. */
export async function startKosha(): Promise<Kosha> {
  return createKosha({ ...(await loadConfig()), entities: [Customer, Order] });
}
