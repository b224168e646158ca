import { ConfigError, createKosha, Kosha, resolveRequestScope } from '@kosha/core';
import type { KoshaModuleOptions, KoshaRequestOptions } from './options.js';

/** The token of the module's {@link ModuleState}. Package-internal. */
export const KOSHA_MODULE_STATE = Symbol('kosha.nestjs.moduleState');

/** What one KoshaModule holds: its instance, whether it closes it, and the request session to install. */
export interface ModuleState {
  readonly kosha: Kosha;
  readonly closeOnShutdown: boolean;
  readonly request: KoshaRequestOptions | false;
}

const SETTINGS = ['request', 'closeOnShutdown'];

/** Creates (or takes) the instance the options describe; a bad request option fails before anything starts. */
export async function moduleState(options: KoshaModuleOptions | Kosha, where: string): Promise<ModuleState> {
  if (options instanceof Kosha) return { kosha: options, closeOnShutdown: false, request: {} };
  if (!options || typeof options !== 'object') {
    throw new ConfigError(
      `${where} needs the options of createKosha ({ orm: mikroOrm({ url }) }), a Kosha instance, or { kosha }.`,
    );
  }
  const request = options.request ?? {};
  if (request !== false) resolveRequestScope(`${where} request`, request, ['skip', 'rollbackOn']);
  const given = (options as { kosha?: unknown }).kosha;
  if (given !== undefined) {
    if (!(given instanceof Kosha)) {
      throw new ConfigError(`${where}: \`kosha\` must be a Kosha instance from \`await createKosha(…)\`.`);
    }
    return { kosha: given, closeOnShutdown: options.closeOnShutdown ?? false, request };
  }
  const koshaOptions = Object.fromEntries(Object.entries(options).filter(([key]) => !SETTINGS.includes(key)));
  const kosha = await createKosha(koshaOptions as Parameters<typeof createKosha>[0]);
  return { kosha, closeOnShutdown: options.closeOnShutdown ?? true, request };
}
