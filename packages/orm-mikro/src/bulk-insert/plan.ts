import {
  type EntityMetadata,
  type EntityProperty,
  EventType,
  type Platform,
  ReferenceKind,
} from '@mikro-orm/core';
import type { StatementText } from './statement-text.js';

/** Which parts of an entity's mapping the recipe handles; `null` when it does not handle the entity. */
export interface Plan {
  readonly meta: EntityMetadata;
  readonly pk: EntityProperty;
  /** The column (field name) of each property that has one. */
  readonly columns: ReadonlyMap<string, string>;
  /** Properties with an `onCreate` or a default, set on creation (ChangeSetComputer.processPropertyInitializers). */
  readonly initializers: readonly EntityProperty[];
  readonly toOne: readonly EntityProperty[];
  readonly toMany: readonly EntityProperty[];
  /** Statement texts by shape: the placeholders of 1,000 rows take longer to build than to send. */
  readonly statements: Map<string, StatementText>;
}

const plans = new WeakMap<EntityMetadata, Plan | null>();

/** Events the unit of work would fire for these inserts: someone listening to them needs the unit of work. */
export const CREATE_EVENTS = [
  EventType.beforeCreate,
  EventType.afterCreate,
  EventType.beforeFlush,
  EventType.onFlush,
  EventType.afterFlush,
] as const;

/** The recipe's plan for an entity, made once; `null` when the entity needs the unit of work. */
export function planOf(meta: EntityMetadata, platform: Platform): Plan | null {
  let plan = plans.get(meta);
  if (plan === undefined) {
    plan = makePlan(meta, platform);
    plans.set(meta, plan);
  }
  return plan;
}

// A custom type may wrap its placeholder in SQL (AbstractSqlDriver.nativeInsertMany); only bare ones here.
export function plainPlaceholder(prop: EntityProperty, platform: Platform): boolean {
  const type = prop.customType as
    | { convertToDatabaseValueSQL?(key: string, platform: Platform): string }
    | undefined;
  return !type?.convertToDatabaseValueSQL || type.convertToDatabaseValueSQL('?', platform) === '?';
}

/** One table, one key column, no inheritance: an entity whose rows a plain statement writes. */
export function oneTableOneKey(meta: EntityMetadata): boolean {
  return (
    meta.primaryKeys.length === 1 &&
    !meta.compositePK &&
    !meta.inheritanceType &&
    !meta.discriminatorColumn &&
    meta.root === meta &&
    !meta.virtual &&
    !meta.embeddable
  );
}

function makePlan(meta: EntityMetadata, platform: Platform): Plan | null {
  if (!oneTableOneKey(meta) || meta.readonly || CREATE_EVENTS.some((e) => meta.hooks[e]?.length)) {
    return null;
  }
  const columns = new Map<string, string>();
  const toOne: EntityProperty[] = [];
  const toMany: EntityProperty[] = [];
  for (const prop of meta.props) {
    if (prop.kind === ReferenceKind.ONE_TO_MANY) {
      toMany.push(prop);
      continue;
    }
    if (prop.kind !== ReferenceKind.SCALAR && prop.kind !== ReferenceKind.MANY_TO_ONE) return null;
    if (
      prop.persist === false ||
      prop.formula ||
      prop.embedded ||
      prop.fieldNames?.length !== 1 ||
      !plainPlaceholder(prop, platform)
    ) {
      return null;
    }
    if (prop.kind === ReferenceKind.MANY_TO_ONE) {
      // A `targetKey` relation holds another column than the key, which MikroORM 7.2.5 snapshots and
      // indexes differently from 7.2.1: the unit of work, whichever the version, knows its own way.
      if (
        prop.polymorphic ||
        !prop.targetMeta ||
        prop.targetMeta.compositePK ||
        prop.mapToPk ||
        prop.targetKey
      )
        return null;
      toOne.push(prop);
    }
    columns.set(prop.name, prop.fieldNames[0]!);
  }
  const pk = meta.getPrimaryProps()[0]!;
  if (!columns.has(pk.name)) return null;
  const initializers = meta.hydrateProps.filter((p) => p.onCreate || p.default != null);
  return { meta, pk, columns, initializers, toOne, toMany, statements: new Map() };
}
