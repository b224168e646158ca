import { parseArgs } from 'node:util';
import { ConfigError } from '@kosha/core';

/** The commands of the `kosha` binary. */
export const COMMANDS = [
  'migration:create',
  'migration:up',
  'migration:down',
  'migration:pending',
  'migration:list',
  'schema:create',
  'schema:update',
  'schema:drop',
] as const;

/** One of {@link COMMANDS}. */
export type CommandName = (typeof COMMANDS)[number];

/** A command line, parsed. */
export interface ParsedCommand {
  /** The command; `undefined` with `help`. */
  readonly command: CommandName | undefined;
  readonly help: boolean;
  readonly config: string | undefined;
  readonly entities: string[];
  readonly name: string | undefined;
  readonly to: string | undefined;
  readonly dump: boolean;
}

/** The usage text of `kosha --help`. */
export const USAGE = `Usage: kosha <command> [options]

Commands:
  migration:create [--name <name>]  write a migration from the difference between the entities and the database
  migration:up [--to <migration>]   apply the pending migrations (up to and including --to)
  migration:down [--to <migration>|0]
                                    revert the last migration (or down to, not including, --to; 0: all)
  migration:pending                 list the migrations not yet applied
  migration:list                    list every migration and when it was applied
  schema:create|update|drop [--dump]
                                    create, update (add what is missing) or drop the entities' tables;
                                    --dump prints the SQL instead of running it

Options:
  --config <file>       kosha.config.ts/.js exporting the createKosha options, or a config.ini
                        (default: ./kosha.config.{ts,mts,js,mjs}, else ./config.ini and the environment)
  --entities <modules>  comma-separated modules to import first, whose @entity classes register themselves
  -h, --help            show this text
`;

/** Parses the arguments of the `kosha` binary; a mistake is a `ConfigError` that shows the usage. */
export function parseCommand(argv: readonly string[]): ParsedCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const [first, ...rest] = positionals;
  if (values.help || first === undefined) return { ...flags(values), command: undefined, help: true };
  if (!(COMMANDS as readonly string[]).includes(first))
    throw new ConfigError(`Unknown command "${first}".\n\n${USAGE}`);
  if (rest.length) throw new ConfigError(`Unexpected argument "${rest[0]}" after ${first}.\n\n${USAGE}`);
  return { ...flags(values), command: first as CommandName, help: false };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string' },
      entities: { type: 'string' },
      name: { type: 'string' },
      to: { type: 'string' },
      dump: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function flags(values: ReturnType<typeof parse>['values']) {
  return {
    help: values.help === true,
    config: values.config,
    entities: (values.entities ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    name: values.name,
    to: values.to,
    dump: values.dump === true,
  };
}
