import { Kosha } from '@kosha/core';
import { Inject } from '@nestjs/common';

/**
 * Injects the KoshaModule's instance. The `Kosha` class is its token, so a constructor parameter typed
 * `Kosha` needs no decorator where `emitDecoratorMetadata` is on; this says it where it is off.
 *
 * ```ts
 * @Injectable()
 * class Reports {
 *   constructor(@InjectKosha() private readonly kosha: Kosha) {}
 * }
 * ```
 */
export function InjectKosha(): PropertyDecorator & ParameterDecorator {
  return Inject(Kosha);
}
