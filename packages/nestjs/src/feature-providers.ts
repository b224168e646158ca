import { bindKosha, Kosha } from '@kosha/core';
import type { Provider } from '@nestjs/common';

type Injectable = new (...args: any[]) => object;

// One token per class for the instance Nest builds before it is bound: the class itself is the token of
// the bound one, so users inject the class they wrote.
const unbound = new WeakMap<Injectable, symbol>();

function unboundToken(cls: Injectable): symbol {
  let token = unbound.get(cls);
  if (!token) {
    token = Symbol(`kosha.unbound.${cls.name}`);
    unbound.set(cls, token);
  }
  return token;
}

/**
 * The providers of `KoshaModule.forFeature`: Nest builds each class with its own constructor dependencies
 * (`useClass`), then the instance is bound to the module's Kosha (`bindKosha`), so its decorated methods and
 * built-ins use that instance, never `getKosha()`'s default.
 */
export function featureProviders(classes: readonly Injectable[]): Provider[] {
  return classes.flatMap((cls): Provider[] => {
    if (typeof cls !== 'function') {
      throw new TypeError(
        `KoshaModule.forFeature takes classes (repositories, services), got ${String(cls)}.`,
      );
    }
    const token = unboundToken(cls);
    return [
      { provide: token, useClass: cls },
      {
        provide: cls,
        useFactory: (kosha: Kosha, instance: object) => bindKosha(instance, kosha),
        inject: [Kosha, token],
      },
    ];
  });
}
