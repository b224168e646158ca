#!/usr/bin/env node
// The `kosha` binary: `kosha migration:up`, `kosha schema:update --dump`, … (see `kosha --help`).
import { runCli } from './run-cli.js';

process.exitCode = await runCli(process.argv.slice(2));
