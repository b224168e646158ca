import { ConfigError } from '../errors.js';
import type { Kosha } from '../kosha.js';
import type { IsolationLevel } from '../orm/orm-backend.js';
import { ISOLATIONS } from '../transaction/transaction-options.js';

/** The options every HTTP adapter shares: which instance, which mode, which isolation. */
export interface RequestScopeOptions {
  /** The Kosha instance. Default: `getKosha()` when each request arrives. */
  kosha?: Kosha | undefined;
  /** `'request'` (default): one transaction per request. `'method'`: a session per request, each `@transactional` commits itself. */
  mode?: 'request' | 'method' | undefined;
  /** Isolation of the request transaction (`mode: 'request'` only). */
  isolation?: IsolationLevel | undefined;
}

/** {@link RequestScopeOptions} after validation, ready for `kosha.openSession`. */
export interface ResolvedRequestScope {
  readonly kosha: Kosha | undefined;
  /** True in `mode: 'request'`. */
  readonly transaction: boolean;
  readonly isolation: IsolationLevel | undefined;
}

/**
 * Validates the options of an HTTP adapter once, when it is created: the shared ones
 * ({@link RequestScopeOptions}) and the adapter's own callbacks (`functions`). Any other key, or a bad
 * value, is a `ConfigError` that names the adapter (`where`) and the option.
 *
 * ```ts
 * const scope = resolveRequestScope('dbMiddleware', options, ['skip', 'rollbackOn']);
 * ```
 */
export function resolveRequestScope(
  where: string,
  options: object | undefined,
  functions: readonly string[],
): ResolvedRequestScope {
  const o = (options ?? {}) as RequestScopeOptions & Record<string, unknown>;
  if (typeof o !== 'object') throw new ConfigError(`${where}: options must be an object.`);
  const fail = (option: string, message: string): never => {
    throw new ConfigError(`${where}: \`${option}\` ${message}`);
  };
  const known = ['kosha', 'mode', 'isolation', ...functions];
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) fail(key, `is not an option. Known options: ${known.join(', ')}.`);
  }
  if (o.kosha !== undefined && typeof (o.kosha as Partial<Kosha>)?.openSession !== 'function') {
    fail('kosha', 'must be a Kosha instance from `await createKosha(…)`.');
  }
  const mode = o.mode ?? 'request';
  if (mode !== 'request' && mode !== 'method') {
    fail('mode', `must be 'request' or 'method', got ${JSON.stringify(o.mode)}.`);
  }
  if (o.isolation !== undefined) {
    if (!ISOLATIONS.includes(o.isolation)) {
      fail('isolation', `must be one of ${ISOLATIONS.join(', ')}, got ${JSON.stringify(o.isolation)}.`);
    }
    if (mode === 'method') {
      fail('isolation', "applies to the request transaction: with mode 'method' give it to @transactional.");
    }
  }
  for (const key of functions) {
    if (o[key] !== undefined && typeof o[key] !== 'function') fail(key, 'must be a function.');
  }
  return { kosha: o.kosha, transaction: mode === 'request', isolation: o.isolation };
}
