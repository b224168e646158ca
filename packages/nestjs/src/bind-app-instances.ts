import { bindKosha, isKoshaBound, type Kosha } from '@kosha/core';
import type { ModulesContainer } from '@nestjs/core';

/** The subset of Nest's InstanceWrapper read here. */
interface Wrapper {
  readonly metatype: unknown;
  readonly inject?: unknown;
  readonly instance: unknown;
}

/**
 * Binds every singleton the app built from a class — providers and controllers — to the module's Kosha, so
 * that their `@transactional` and cache methods use it outside a request too (a job, a seed in
 * `onModuleInit`), never another app's instance or the process default. Instances bound already keep theirs;
 * factory and value providers are not the app's classes and are left alone.
 */
export function bindAppInstances(modules: ModulesContainer, kosha: Kosha): void {
  for (const moduleRef of modules.values()) {
    for (const wrappers of [moduleRef.providers, moduleRef.controllers]) {
      for (const wrapper of wrappers.values() as Iterable<Wrapper>) {
        const { metatype, instance } = wrapper;
        if (typeof metatype !== 'function' || wrapper.inject != null) continue;
        if (typeof instance !== 'object' || instance === null || !(instance instanceof metatype)) continue;
        // Bound on purpose (forFeature, `super(Entity, kosha)`, the user's own bindKosha): it keeps its instance.
        if (isKoshaBound(instance) || !Object.isExtensible(instance)) continue;
        bindKosha(instance, kosha);
      }
    }
  }
}
