// `dbPlugin` options accept an explicit `undefined` under `exactOptionalPropertyTypes`.
import { type DbMode, type DbPluginOptions, dbPlugin } from '@kosha/http-fastify';
import Fastify from 'fastify';
import { describe, expectTypeOf, it } from 'vitest';

/** Every optional key of `O`, each given as `undefined`. Assignable to `O` only if each one accepts it. */
type AllUndefined<O> = { [K in keyof O as {} extends Pick<O, K> ? K : never]-?: undefined };

declare const mode: DbMode | undefined;

describe('dbPlugin options under exactOptionalPropertyTypes', () => {
  it('accept undefined for every optional option', () => {
    expectTypeOf<AllUndefined<DbPluginOptions>>().toExtend<DbPluginOptions>();
  });

  it('register with a mode that may be unset', async () => {
    const app = Fastify();
    await app.register(dbPlugin, { mode, isolation: undefined });
    // @ts-expect-error not a mode
    await app.register(dbPlugin, { mode: 'transaction' });
  });
});
