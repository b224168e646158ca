import { InvalidArgumentError } from '../errors.js';
import type { ColumnType, PropertyMetadata } from '../mapping/metadata.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A short, safe description of a value for an error message (never the value itself when it is big). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : 'a Date';
  if (typeof value === 'string')
    return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
    const name = proto?.constructor?.name;
    return !proto || name === 'Object' ? 'a plain object' : `an object (${name ?? 'anonymous'})`;
  }
  return typeof value;
}

/** The column types the text operators (`like`, `startsWith`…, `ignoreCase`) work on. */
export function isTextType(type: ColumnType, prop?: PropertyMetadata): boolean {
  if (type === 'string' || type === 'text') return true;
  if (type !== 'enum') return false;
  const items = prop?.options.enum;
  const values = Array.isArray(items) ? items : items ? Object.values(items) : [];
  return !values.every((v) => typeof v === 'number');
}

/**
 * Checks that `value` is a value of a column of `type` and returns it as the backend binds it. `where`
 * names the field for the message (`User.age`). Refuses objects and arrays (never query operators),
 * `undefined`, NaN and invalid dates; `null` is the caller's to handle.
 */
export function columnValue(where: string, type: ColumnType, value: unknown): unknown {
  const refuse = (expected: string) =>
    new InvalidArgumentError(
      `${where} is a ${type} column, compared with ${describeValue(value)}: give ${expected}` +
        (typeof value === 'object' && value !== null && !(value instanceof Date)
          ? ', or an operator such as gt(…), isIn([…]), like(…) (plain objects are never query operators).'
          : '.'),
    );
  switch (type) {
    case 'string':
    case 'text':
      if (typeof value === 'string') return value;
      throw refuse('a string');
    case 'uuid':
      if (typeof value === 'string' && UUID.test(value)) return value;
      throw refuse('a uuid string');
    case 'enum': {
      if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return value;
      throw refuse('one of its values');
    }
    case 'integer':
    case 'float':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      throw refuse('a finite number');
    case 'bigint':
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
      throw refuse('a bigint (or a safe integer number)');
    case 'decimal':
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      if (typeof value === 'string' && DECIMAL.test(value)) return value;
      throw refuse('a decimal string such as "12.50" (or a finite number)');
    case 'boolean':
      if (typeof value === 'boolean') return value;
      throw refuse('true or false');
    case 'date':
      if (typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value))) return value;
      if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
      throw refuse('a date string "YYYY-MM-DD" (or a valid Date)');
    case 'datetime':
      if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
      throw refuse('a valid Date');
    case 'json':
      throw new InvalidArgumentError(
        `${where} is a json column, which find/count/exists cannot compare. Query it with this.em (MikroORM's JSON queries).`,
      );
  }
}
