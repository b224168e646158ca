import {
  column,
  createdAt,
  DbRepo,
  entity,
  type InsertRow,
  id,
  manyToOne,
  OptionalProps,
  oneToMany,
  table,
  updatedAt,
  version,
} from '@kosha/core';
import { type Collection, helper } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { type SentQuery, watchStatements } from '../support/statements.js';

/*
 * What the bulk insert tests share (src/bulk-insert/): the entities, their repositories, and ways to see
 * which statements were sent and what state the entities were left in.
 */

export enum Size {
  Small = 1,
  Large = 2,
}

@entity
@table('bulk_crates')
export class Crate {
  @id() id!: number;
  @column({ type: 'string' }) label!: string;
  @oneToMany(() => Item, 'crate') items!: Collection<Item>;
}

@entity
@table('bulk_items')
export class Item {
  declare [OptionalProps]?: 'seven' | 'version' | 'createdAt' | 'updatedAt';
  @id() id!: number;
  @column({ type: 'string', length: 120 }) label!: string;
  @column({ type: 'text', nullable: true }) note?: string | null;
  @column({ type: 'integer', default: 7 }) seven!: number;
  @column({ type: 'bigint', nullable: true }) big?: bigint | null;
  @column({ type: 'float', nullable: true }) ratio?: number | null;
  @column({ type: 'decimal', precision: 12, scale: 2, nullable: true }) price?: string | null;
  @column({ type: 'boolean', nullable: true }) fragile?: boolean | null;
  @column({ type: 'date', nullable: true }) day?: string | null;
  @column({ type: 'datetime', nullable: true }) at?: Date | null;
  @column({ type: 'json', nullable: true }) doc?: unknown;
  @column({ type: 'uuid', nullable: true }) ref?: string | null;
  @column({ type: 'enum', enum: ['new', 'used'], nullable: true }) state?: 'new' | 'used' | null;
  @column({ type: 'enum', enum: Size, nullable: true }) size?: Size | null;
  @manyToOne(() => Crate, { nullable: true, inversedBy: 'items' }) crate?: Crate | null;
  @version() version!: number;
  @createdAt() createdAt!: Date;
  @updatedAt() updatedAt!: Date;
}

@entity
@table('bulk_tags')
export class Tag {
  @id({ type: 'uuid' }) id!: string;
  @column({ type: 'string' }) name!: string;
}

/** 70 integer columns: 1,000 rows are 70,000 parameters, past every driver's limit. */
export class Wide {
  id!: number;
  [column: `c${number}`]: number;
}
entity(Wide);
table('bulk_wide')(Wide);
id()(Wide.prototype, 'id');
export const WIDE_COLUMNS = 70;
for (let c = 0; c < WIDE_COLUMNS; c++) column({ type: 'integer' })(Wide.prototype, `c${c}`);

export class Items extends DbRepo<Item> {}
export class Crates extends DbRepo<Crate> {}
export class Tags extends DbRepo<Tag> {}
export class Wides extends DbRepo<Wide> {}

export class Boom extends Error {}

export type { SentQuery };

/** Records the INSERT statements sent on the session's transaction from now on, as the driver gets them. */
export const watchInserts = (em: SqlEntityManager) => watchStatements(em, /^\s*insert\b/i);

/** The bulk insert sends its values as parameters; MikroORM's unit of work inlines them (no parameters). */
export const bulk = (q: SentQuery) => q.parameters.length > 0;

export const sample = (n: number): InsertRow<Item> => ({
  label: `it's "item" ${n} — ünïcödé ✓ 日本 \\ ; -- ?`,
  note: n % 2 ? null : `note ${n}`,
  big: 9_007_199_254_740_993n + BigInt(n),
  ratio: 0.1 + 0.2 + n,
  price: `${n}.25`,
  fragile: n % 2 === 0,
  day: '2024-02-29',
  at: new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 123) + n),
  doc: { n, list: [1, 'two', { three: null }], quote: 'a "b" \\ c' },
  ref: '3f1c2b4e-8d9a-4c1e-9f2b-7a6d5e4c3b2a',
  state: n % 2 ? 'used' : 'new',
  size: n % 2 ? Size.Large : Size.Small,
});

export function stateOf(e: object) {
  const w = helper(e);
  const original = { ...(w.__originalEntityData as Record<string, unknown>) };
  return {
    managed: w.__managed,
    initialized: w.__initialized,
    populated: (w as unknown as { __populated?: boolean }).__populated,
    schema: w.__schema,
    loaded: [...(w as unknown as { __loadedProperties: Set<string> }).__loadedProperties].sort(),
    originalKeys: Object.keys(original).sort(),
    keys: Object.keys(e).sort(),
  };
}
