import { existsSync } from 'node:fs';
import { extname, isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, type KoshaOptions, loadConfig } from '@kosha/core';

/** Where the CLI found the application's configuration, and what it read. */
export interface AppOptions {
  /** The `createKosha` options. */
  readonly options: KoshaOptions;
  /** What they were read from, for messages: `kosha.config.ts`, `config.ini`, `the environment`. */
  readonly source: string;
}

/** What {@link loadAppOptions} is given: the CLI's flags and the directory it runs in. */
export interface AppOptionsRequest {
  /** `--config`: a `kosha.config.{ts,mts,js,mjs}` or a `config.ini`. */
  readonly config?: string | undefined;
  /** `--entities`: modules to import first, whose `@entity` classes register themselves. */
  readonly entities?: readonly string[] | undefined;
  /** The working directory (relative paths start there). */
  readonly cwd: string;
  /** The environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The file names looked for in the working directory, in this order, when there is no `--config`. */
export const CONFIG_FILES = ['kosha.config.ts', 'kosha.config.mts', 'kosha.config.js', 'kosha.config.mjs'];

const SCRIPT = /^\.[cm]?[jt]s$/;

/**
 * Reads the application's configuration the way the application does: a `kosha.config.ts` (or `.js`)
 * exporting the `createKosha` options — as an object or a function returning one — or else `config.ini` and
 * the environment through `loadConfig`. A missing or malformed configuration is a `ConfigError`.
 */
export async function loadAppOptions(request: AppOptionsRequest): Promise<AppOptions> {
  const resolve = (p: string) => (isAbsolute(p) ? p : join(request.cwd, p));
  for (const module of request.entities ?? []) await importFile(resolve(module), '--entities');

  const file = request.config
    ? resolve(request.config)
    : CONFIG_FILES.map(resolve).find((f) => existsSync(f));
  if (request.config && !existsSync(file!))
    throw new ConfigError(`--config ${request.config}: there is no such file (looked at ${file}).`);
  if (file && SCRIPT.test(extname(file))) return { options: await optionsModule(file), source: file };

  const ini = file ?? (existsSync(resolve('config.ini')) ? resolve('config.ini') : undefined);
  const env = request.env;
  if (!ini && !env.KOSHA_CONFIG_FILE && !env.KOSHA_DATABASE_URL && !env.DATABASE_URL) {
    throw new ConfigError(
      `No configuration found in ${request.cwd}: the kosha command reads ${CONFIG_FILES.join(', ')} ` +
        '(exporting the createKosha options), config.ini, or KOSHA_DATABASE_URL / DATABASE_URL. Create one, or ' +
        'pass --config <file>.',
    );
  }
  const options = await loadConfig({ file: ini, env });
  return { options, source: ini ?? env.KOSHA_CONFIG_FILE ?? 'the environment' };
}

async function importFile(path: string, what: string): Promise<Record<string, unknown>> {
  if (!existsSync(path)) throw new ConfigError(`${what} ${path}: there is no such file.`);
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(
      `${what} ${path} could not be loaded: ${(error as Error)?.message ?? String(error)}`,
      {
        cause: error,
      },
    );
  }
}

async function optionsModule(file: string): Promise<KoshaOptions> {
  const module = await importFile(file, 'The configuration');
  const exported = module.default;
  const options = typeof exported === 'function' ? await (exported as () => unknown)() : exported;
  if (!options || typeof options !== 'object' || !('orm' in options)) {
    throw new ConfigError(
      `${file} must export the createKosha options as its default export: ` +
        'export default { orm: mikroOrm({ url: … }), entities: [User, …] } (or a function returning them).',
    );
  }
  return options as KoshaOptions;
}
