import type { AddressInfo } from 'node:net';
import { buildApp } from './app.js';
import { buildExpressApp } from './express-app.js';
import { Instruments } from './instruments.js';
import { Jobs } from './jobs.js';
import { type ServiceKosha, startKosha } from './kosha-setup.js';

/** Which HTTP framework serves the API. */
export type Framework = 'fastify' | 'express';

/** The running service: its Kosha, job queue and counters. */
export interface RunningService extends ServiceKosha {
  readonly framework: Framework;
  readonly jobs: Jobs;
  readonly instruments: Instruments;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Waits for the jobs, then closes the server and Kosha (pool and cache). */
  close(): Promise<void>;
}

/** Options of {@link startService}. */
export interface StartOptions {
  /** Default `'fastify'`. */
  framework?: Framework;
  /** Default 0: any free port. */
  port?: number;
  /** Where `DATABASE_URL`, `REDIS_URL`… are read. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

async function listen(framework: Framework, started: ServiceKosha, jobs: Jobs, port: number) {
  if (framework === 'fastify') {
    const app = await buildApp(started.kosha, jobs);
    await app.listen({ host: '127.0.0.1', port });
    return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
  }
  const app = buildExpressApp(started.kosha, jobs);
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve, reject) => {
    const s = app.listen(port, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

/** Starts the service on 127.0.0.1. */
export async function startService(options: StartOptions = {}): Promise<RunningService> {
  const framework = options.framework ?? 'fastify';
  const instruments = new Instruments();
  const started = await startKosha(instruments, options.env);
  const jobs = new Jobs(started.kosha);
  let server: Awaited<ReturnType<typeof listen>>;
  try {
    server = await listen(framework, started, jobs, options.port ?? 0);
  } catch (error) {
    await started.kosha.close();
    throw error;
  }
  return {
    ...started,
    framework,
    jobs,
    instruments,
    url: `http://127.0.0.1:${server.port}`,
    async close() {
      await jobs.idle();
      await server.close();
      await started.kosha.close();
    },
  };
}
