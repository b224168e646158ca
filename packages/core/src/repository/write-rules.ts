// DbRepo's rules for writes, locks and soft delete, apart from the class: the specs its soft deletes and
// restores send, the checks a lock passes before any SQL, and the backend members they need.
import { ConfigError, IllegalTransactionStateError, InvalidArgumentError } from '../errors.js';
import type { Kosha } from '../kosha.js';
import type { EntityMetadata } from '../mapping/metadata.js';
import { keyFilter } from '../mapping/primary-key.js';
import type { LockSpec, ReadSpec, Session, UpdateSpec } from '../orm/orm-backend.js';
import { isPlainObject, normalizeWhere } from '../query/normalize-where.js';
import { and, isNotNull, isNull } from '../query/operators.js';
import type { Where } from '../query/where.js';
import { liveScope } from '../transaction/frames.js';
import { changeNodes, flag, lockSpec, touchesUpdatedAt } from '../write/prepare-writes.js';
import type { GetByIdOptions } from '../write/write-options.js';

const READ_OPTIONS = ['lock', 'skipLocked', 'noWait', 'withDeleted'];

/** The session, when it has the optional member `member`; else a ConfigError naming the backend. */
export function capable(
  kosha: Kosha,
  meta: EntityMetadata,
  s: Session,
  member: keyof Session,
  what: string,
): Session {
  if (typeof s[member] !== 'function') {
    throw new ConfigError(
      `${kosha.orm.name} does not implement Session.${member}: ${meta.name}.${what} needs a backend ` +
        'that does, such as @kosha/orm-mikro.',
    );
  }
  return s;
}

/** `updateWhere`'s arguments, checked, as the spec a backend runs. */
export function updateSpec(meta: EntityMetadata, where: unknown, changes: unknown): UpdateSpec {
  const what = `${meta.name}.updateWhere`;
  if (where === undefined) {
    throw new InvalidArgumentError(`${what} takes a where condition; give {} to change every row.`);
  }
  const nodes = changeNodes(meta, what, changes);
  return {
    where: normalizeWhere(meta, where),
    changes: nodes,
    touchesUpdatedAt: touchesUpdatedAt(
      meta,
      nodes.map((c) => c.field),
    ),
  };
}

/** The update that soft-deletes the rows `where` matches that are not deleted yet. */
export function softDeleteSpec<T extends object>(meta: EntityMetadata<T>, where: Where<T>): UpdateSpec {
  const deleted = meta.deletedAt!.name;
  return {
    where: normalizeWhere(meta, and<T>(where, { [deleted]: isNull() } as Where<T>)),
    changes: [{ kind: 'set', field: deleted, value: new Date() }],
    touchesUpdatedAt: touchesUpdatedAt(meta, [deleted]),
  };
}

/** The update that restores the soft-deleted row `id`; an error when the entity is not soft-deleted. */
export function restoreSpec(meta: EntityMetadata, id: unknown): UpdateSpec {
  const p = meta.deletedAt;
  if (!p) {
    throw new InvalidArgumentError(
      `${meta.name}.restore: ${meta.name} is not soft-deleted; give it a @deletedAt() property.`,
    );
  }
  return {
    where: normalizeWhere(meta, { ...keyFilter(meta, id), [p.name]: isNotNull() }),
    changes: [{ kind: 'set', field: p.name, value: null }],
    touchesUpdatedAt: touchesUpdatedAt(meta, [p.name]),
    withDeleted: true,
  };
}

/**
 * A lock needs a physical transaction of the caller's (the built-in's own would end, and release it, at
 * once) that may write, and a backend with locks.
 */
export function checkLock(
  kosha: Kosha,
  meta: EntityMetadata,
  what: string,
  lock: LockSpec | undefined,
): void {
  if (!lock) return;
  const scope = liveScope(kosha);
  if (!scope || scope.tx.virtual || scope.tx.readOnly) {
    throw new IllegalTransactionStateError(
      `${meta.name}.${what} with lock '${lock.mode}' needs a read-write transaction in progress: the ` +
        'lock is held until it ends. Call it from a @transactional method (without readOnly), or kosha.transaction(fn).',
    );
  }
  const caps = kosha.orm.capabilities;
  if (!caps.locks) {
    throw new ConfigError(
      `${kosha.orm.name} (${kosha.orm.dialect}) takes no row locks: ${what} cannot lock.`,
    );
  }
  if ((lock.skipLocked || lock.noWait) && !caps.lockWaitOptions) {
    const option = lock.skipLocked ? 'skipLocked' : 'noWait';
    throw new ConfigError(
      `${kosha.orm.dialect} has no ${lock.skipLocked ? 'SKIP LOCKED' : 'NOWAIT'}: ${meta.name}.${what} ` +
        `cannot use ${option} there` +
        (caps.locks === 'database'
          ? ' (a write transaction holds the whole database, so no row is ever locked by another).'
          : '.'),
    );
  }
}

/** `getById`'s options, checked (a lock against the transaction in progress), as the backend's read spec. */
export function readSpec(
  kosha: Kosha,
  meta: EntityMetadata,
  what: string,
  options: GetByIdOptions,
): ReadSpec {
  const where = `${meta.name}.${what}`;
  if (!isPlainObject(options)) {
    throw new InvalidArgumentError(
      `${where} takes { lock?, skipLocked?, noWait?, withDeleted? } as its options.`,
    );
  }
  for (const k of Object.keys(options)) {
    if (!READ_OPTIONS.includes(k)) {
      throw new InvalidArgumentError(
        `${where}: unknown option ${JSON.stringify(k)}; the options are ${READ_OPTIONS.join(', ')}.`,
      );
    }
  }
  const lock = lockSpec(where, options);
  checkLock(kosha, meta, what, lock);
  const withDeleted = flag(where, 'withDeleted', options.withDeleted);
  return { ...(lock ? { lock } : {}), ...(withDeleted ? { withDeleted } : {}) };
}
