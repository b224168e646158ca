/**
 * `@kosha/cli`: the `kosha` binary — create, apply and revert schema migrations from the registered entities,
 * and create, update or drop the schema (`--dump` prints the SQL) — with the application's own configuration:
 * `kosha.config.ts` exporting the `createKosha` options, or `config.ini` and the environment.
 *
 * ```sh
 * npx kosha migration:create --name users
 * npx kosha migration:up
 * ```
 * @packageDocumentation
 */
export { type AppOptions, type AppOptionsRequest, CONFIG_FILES, loadAppOptions } from './app-options.js';
export { COMMANDS, type CommandName } from './parse-command.js';
export { type CliIo, runCli } from './run-cli.js';
