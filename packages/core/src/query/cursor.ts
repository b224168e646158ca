// The keyset cursor of findSlice: the sort-key values of the last row of a slice, for the entity and the
// order it was made for, with a checksum. It is not a secret and not signed (it names a position a client
// may as well ask for), but everything in it is checked before it reaches a query: an edited, truncated or
// foreign cursor is an InvalidArgumentError, never SQL.
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../errors.js';
import type { EntityMetadata } from '../mapping/metadata.js';
import { columnValue } from './column-values.js';
import type { KeysetKey, OrderNode } from './where-tree.js';

const VERSION = 1;
const MAX_CURSOR_LENGTH = 16_384;

/** The order a cursor belongs to, as text: `title:asc,id:asc`. */
function signature(keys: readonly OrderNode[]): string {
  return keys.map((k) => `${k.path.join('.')}:${k.direction}`).join(',');
}

function checksum(entity: string, order: string, payload: string): string {
  return createHash('sha256')
    .update(`kosha-cursor\0${entity}\0${order}\0${payload}`)
    .digest('base64url')
    .slice(0, 22);
}

/** A column value as JSON keeps it: Dates as ISO text, bigints as decimal text. */
function toJson(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function fromJson(key: OrderNode, value: unknown): unknown {
  if (value === null) return null;
  if (key.type === 'datetime' && typeof value === 'string') return new Date(value);
  if (key.type === 'bigint' && typeof value === 'string' && /^-?\d{1,20}$/.test(value)) return BigInt(value);
  return value;
}

/** The value of a sort key in a row (a to-one relation's: the related primary key). */
export function keyValue(row: object, key: OrderNode, keyName?: string): unknown {
  const value = (row as Record<string, unknown>)[key.path[0]!];
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && keyName) {
    return (value as Record<string, unknown>)[keyName] ?? null;
  }
  return value ?? null;
}

/** The cursor after `values` (one per key) in the order `keys` of `meta`. */
export function encodeCursor(
  meta: EntityMetadata,
  keys: readonly OrderNode[],
  values: readonly unknown[],
): string {
  const payload = Buffer.from(JSON.stringify([VERSION, values.map(toJson)])).toString('base64url');
  return `${payload}.${checksum(meta.name, signature(keys), payload)}`;
}

/**
 * The position a cursor of {@link encodeCursor} names, checked: its checksum, that it was made for this
 * entity and this order, and every value against its column's type (NULL only where the column allows it).
 */
export function decodeCursor(meta: EntityMetadata, keys: readonly OrderNode[], cursor: unknown): KeysetKey[] {
  const bad = (why: string) =>
    new InvalidArgumentError(
      `${meta.name}.findSlice: the cursor (after) ${why}. Pass the \`next\` of the previous slice unchanged, ` +
        'with the same sort, or leave `after` out for the first slice.',
    );
  if (typeof cursor !== 'string') throw bad('is not a string');
  if (cursor.length > MAX_CURSOR_LENGTH) throw bad('is too long');
  const dot = cursor.indexOf('.');
  const payload = cursor.slice(0, dot);
  if (dot < 1 || checksum(meta.name, signature(keys), payload) !== cursor.slice(dot + 1)) {
    throw bad('was changed, or was made for another entity or another sort');
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw bad('cannot be read');
  }
  if (!Array.isArray(decoded) || decoded[0] !== VERSION || !Array.isArray(decoded[1]))
    throw bad('cannot be read');
  const values = decoded[1] as unknown[];
  if (values.length !== keys.length) throw bad('does not match the sort');
  return keys.map((key, i) => {
    const value = fromJson(key, values[i]);
    const prop = meta.properties.find((p) => p.name === key.path[0]);
    if (value === null) {
      if (!prop?.options.nullable || meta.primaryKeys.includes(prop)) {
        throw bad(`holds NULL for ${key.path.join('.')}`);
      }
      return { ...key, value: null };
    }
    try {
      return { ...key, value: columnValue(`${meta.name}.${key.path.join('.')}`, key.type, value) };
    } catch {
      throw bad(`holds a value that is not a valid ${key.type} for ${key.path.join('.')}`);
    }
  });
}
