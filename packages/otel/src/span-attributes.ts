// What a span says about a Kosha event. Attribute names follow OpenTelemetry's semantic conventions where
// they have one (`db.system.name`, `db.operation.name`, `error.type`; semconv 1.33+) and are `kosha.*`
// otherwise. No key, value, parameter or result is ever put on a span: the events do not carry them.
import type { KoshaEvent } from '@kosha/core';
import type { Attributes } from '@opentelemetry/api';

/** Kosha's dialects as `db.system.name` values. */
const DB_SYSTEM: Readonly<Record<string, string>> = {
  postgresql: 'postgresql',
  mysql: 'mysql',
  mariadb: 'mariadb',
  sqlite: 'sqlite',
};

/** The `db.system.name` of a Kosha dialect (`other_sql` for one semconv does not name). */
export function dbSystemOf(dialect: string): string {
  return DB_SYSTEM[dialect] ?? 'other_sql';
}

/** Low-cardinality span names: `kosha.transaction UserRepo.save`, `kosha.cache get user`, `kosha.request`. */
export function spanName(event: KoshaEvent): string {
  switch (event.kind) {
    case 'request':
      return 'kosha.request';
    case 'transaction':
      return `kosha.transaction ${event.name}`;
    case 'cache':
      return `kosha.cache ${event.operation} ${event.cache}`;
  }
}

/** Attributes known when the event starts. */
export function startAttributes(event: KoshaEvent): Attributes {
  switch (event.kind) {
    case 'request':
      return { 'kosha.request.mode': event.mode };
    case 'transaction':
      return {
        'db.system.name': dbSystemOf(event.dialect),
        'db.operation.name': event.nested ? 'SAVEPOINT' : 'TRANSACTION',
        'kosha.transaction.name': event.name,
        'kosha.transaction.propagation': event.propagation,
        'kosha.transaction.isolation': event.isolation ?? 'DEFAULT',
        'kosha.transaction.read_only': event.readOnly,
        ...(event.timeout !== undefined ? { 'kosha.transaction.timeout': event.timeout } : {}),
      };
    case 'cache':
      return {
        ...(event.provider === 'redis' ? { 'db.system.name': 'redis' } : {}),
        'db.operation.name': event.operation,
        'kosha.cache.name': event.cache,
        'kosha.cache.provider': event.provider,
      };
  }
}

/** Attributes known when the event ends: its outcome, a cache read's hit, the error's type. */
export function endAttributes(event: KoshaEvent): Attributes {
  const out: Attributes = {};
  if (event.kind === 'cache') {
    if (event.hit !== undefined) out['kosha.cache.hit'] = event.hit;
    if (event.outcome !== undefined) out['kosha.cache.outcome'] = event.outcome;
  } else if (event.outcome !== undefined) {
    out[event.kind === 'request' ? 'kosha.request.outcome' : 'kosha.transaction.outcome'] = event.outcome;
  }
  if (event.error !== undefined) {
    const error = event.error as { code?: unknown; name?: unknown } | null;
    out['error.type'] =
      typeof error?.code === 'string' ? error.code : typeof error?.name === 'string' ? error.name : '_OTHER';
  }
  return out;
}
