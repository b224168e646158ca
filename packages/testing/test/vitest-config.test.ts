import { createRequire, registerHooks } from 'node:module';
import { ConfigError } from '@kosha/core';
import { describe, expect, it } from 'vitest';
import { koshaVitest } from '../src/vitest-config.js';

const requireCache = createRequire(import.meta.url).cache;

/** Runs `fn` with `names` unresolvable, as in a project that has not installed them. */
function without<T>(names: string[], fn: () => T): T {
  // Loaded copies would be found without resolving again: set them aside for the call.
  const loaded = Object.entries(requireCache).filter(([file]) =>
    /[\\/](unplugin-swc|@swc[\\/]core)[\\/]/.test(file),
  );
  for (const [file] of loaded) delete requireCache[file];
  const hooks = registerHooks({
    resolve(specifier, context, nextResolve) {
      if (names.includes(specifier)) {
        throw Object.assign(new Error(`Cannot find module '${specifier}'`), { code: 'MODULE_NOT_FOUND' });
      }
      return nextResolve(specifier, context);
    },
  });
  try {
    return fn();
  } finally {
    hooks.deregister();
    for (const [file, module] of loaded) requireCache[file] = module;
  }
}

describe('koshaVitest', () => {
  it("legacy: Vite's oxc lowers legacy decorators, no plugin", () => {
    expect(koshaVitest({ decorators: 'legacy' })).toEqual({
      oxc: { decorator: { legacy: true, emitDecoratorMetadata: false } },
      plugins: [],
    });
    expect(koshaVitest({ decorators: 'legacy', emitDecoratorMetadata: true }).oxc).toEqual({
      decorator: { legacy: true, emitDecoratorMetadata: true },
    });
  });

  it('tc39: oxc off, swc lowers the decorators', () => {
    const config = koshaVitest({ decorators: 'tc39' });
    expect(config.oxc).toBe(false);
    expect(config.plugins).toHaveLength(1);
    expect(config.plugins[0]).toMatchObject({ name: 'swc' });
  });

  it('tc39 without unplugin-swc: a ConfigError naming the install command', () => {
    const error = without(['unplugin-swc'], () => catchError(() => koshaVitest({ decorators: 'tc39' })));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('unplugin-swc is not installed');
    expect(error.message).toContain('npm i -D unplugin-swc @swc/core');
  });

  it('tc39 without @swc/core: the error names @swc/core', () => {
    const error = without(['@swc/core'], () => catchError(() => koshaVitest({ decorators: 'tc39' })));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('@swc/core is not installed');
  });

  it('an unknown mode, or design metadata with TC39 decorators, is a ConfigError saying what to use', () => {
    expect(() => koshaVitest({ decorators: 'stage3' as never })).toThrow(
      /decorators must be 'tc39' or 'legacy', got "stage3"/,
    );
    expect(() => koshaVitest({} as never)).toThrow(/got nothing/);
    expect(() => koshaVitest({ decorators: 'tc39', emitDecoratorMetadata: true })).toThrow(ConfigError);
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
