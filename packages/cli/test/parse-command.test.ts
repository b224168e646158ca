import { ConfigError } from '@kosha/core';
import { describe, expect, it } from 'vitest';
import { COMMANDS, parseCommand } from '../src/parse-command.js';

describe('the kosha command line', () => {
  it('reads each command with its options', () => {
    expect(parseCommand(['migration:create', '--name', 'users', '--config', 'app.config.ts'])).toMatchObject({
      command: 'migration:create',
      name: 'users',
      config: 'app.config.ts',
      help: false,
    });
    expect(parseCommand(['migration:down', '--to', '0'])).toMatchObject({
      command: 'migration:down',
      to: '0',
    });
    expect(parseCommand(['schema:update', '--dump', '--entities', 'a.ts, b.ts'])).toMatchObject({
      dump: true,
      entities: ['a.ts', 'b.ts'],
    });
    for (const command of COMMANDS) expect(parseCommand([command]).command).toBe(command);
  });

  it('no command, or --help, asks for the usage', () => {
    expect(parseCommand([]).help).toBe(true);
    expect(parseCommand(['migration:up', '-h']).help).toBe(true);
  });

  it('an unknown command, option or extra argument is a ConfigError with the usage', () => {
    for (const argv of [
      ['migrate'],
      ['migration:up', '--force'],
      ['migration:up', 'extra'],
      ['migration:up', '--to'],
    ]) {
      const error = (() => {
        try {
          parseCommand(argv);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/Usage: kosha <command>/);
    }
  });
});
