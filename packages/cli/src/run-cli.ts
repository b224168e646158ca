import { ConfigError, createKosha, type Kosha, KoshaError, type MigrationStatus } from '@kosha/core';
import { loadAppOptions } from './app-options.js';
import { type CommandName, type ParsedCommand, parseCommand, USAGE } from './parse-command.js';

/** Where the CLI writes and what it runs in (the process's, unless a test gives its own). */
export interface CliIo {
  /** Writes a line of results. */
  out(line: string): void;
  /** Writes a line of errors. */
  err(line: string): void;
  /** The working directory. */
  readonly cwd: string;
  /** The environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

const processIo = (): CliIo => ({
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  cwd: process.cwd(),
  env: process.env,
});

// The commands that compare the entities with the database need entities; the others only read files.
const NEEDS_ENTITIES = new Set<CommandName>([
  'migration:create',
  'schema:create',
  'schema:update',
  'schema:drop',
]);

let typeScriptLoaded: Promise<unknown> | undefined;

/**
 * Runs the `kosha` command line and resolves with its exit code (0 done, 1 failed, 2 a usage mistake).
 * The `kosha` binary calls it with `process.argv.slice(2)`.
 *
 * ```ts
 * const code = await runCli(['migration:up', '--config', 'kosha.config.ts']);
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let parsed: ParsedCommand;
  try {
    parsed = parseCommand(argv);
  } catch (error) {
    io.err(`kosha: ${(error as Error).message}`);
    return 2;
  }
  if (parsed.help || !parsed.command) {
    io.out(USAGE);
    return 0;
  }
  const command = parsed.command;
  let kosha: Kosha | undefined;
  try {
    // TypeScript files — kosha.config.ts, entity modules, migrations — load through tsx, which compiles them
    // as the project's tsconfig says (decorators in either mode), where Node's own type stripping cannot.
    typeScriptLoaded ??= import('tsx/esm/api').then(({ register }) => register());
    await typeScriptLoaded;
    const app = await loadAppOptions({
      config: parsed.config,
      entities: parsed.entities,
      cwd: io.cwd,
      env: io.env,
    });
    // The CLI touches the database only: no cache connection, and it does not replace the app's default instance.
    kosha = await createKosha({ ...app.options, cache: false, setDefault: false });
    if (NEEDS_ENTITIES.has(command) && kosha.entities.length === 0) {
      throw new ConfigError(
        `${command} compares the entities with the database, but ${app.source} gives none: list them in ` +
          'kosha.config.ts (entities: [User, …]), or import the modules that declare them with --entities.',
      );
    }
    await run(command, parsed, kosha, io);
    return 0;
  } catch (error) {
    if (error instanceof KoshaError) io.err(`kosha ${command}: ${error.message} (${error.code})`);
    else io.err(`kosha ${command}: ${(error as Error)?.stack ?? String(error)}`);
    return 1;
  } finally {
    await kosha?.close();
  }
}

async function run(command: CommandName, parsed: ParsedCommand, kosha: Kosha, io: CliIo): Promise<void> {
  const to = parsed.to === '0' ? 0 : parsed.to;
  switch (command) {
    case 'migration:create': {
      const created = await kosha.migrations.create(parsed.name);
      if (!created) io.out('No changes: the database already matches the entities; no migration written.');
      else
        io.out(`Created ${created.path} (${created.up.length} statements up, ${created.down.length} down)`);
      return;
    }
    case 'migration:up':
      return names(io, await kosha.migrations.up({ to }), 'Applied', 'No pending migrations.');
    case 'migration:down':
      return names(io, await kosha.migrations.down({ to }), 'Reverted', 'No applied migrations to revert.');
    case 'migration:pending':
      return names(io, await kosha.migrations.pending(), 'Pending', 'No pending migrations.');
    case 'migration:list':
      return list(io, await kosha.migrations.list());
    default: {
      const action = command.slice('schema:'.length) as 'create' | 'update' | 'drop';
      if (parsed.dump) {
        const sql = await kosha.schema.sql(action);
        io.out(sql.trim() === '' ? '-- nothing to do: the schema matches the entities' : sql.trimEnd());
        return;
      }
      await kosha.schema[action]();
      io.out(`Schema ${action === 'create' ? 'created' : action === 'drop' ? 'dropped' : 'updated'}.`);
    }
  }
}

function names(io: CliIo, list: readonly string[], verb: string, none: string): void {
  if (list.length === 0) io.out(none);
  for (const name of list) io.out(`${verb} ${name}`);
}

function list(io: CliIo, migrations: readonly MigrationStatus[]): void {
  if (migrations.length === 0) io.out('No migrations.');
  for (const m of migrations) {
    const when = m.appliedAt
      ? `applied ${m.appliedAt.toISOString().replace('T', ' ').slice(0, 19)}`
      : 'pending';
    io.out(`${when.padEnd(27)} ${m.name}`);
  }
}
