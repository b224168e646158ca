import { BigIntType } from '@mikro-orm/core';

/**
 * A `bigint` column on SQLite. better-sqlite3 reads INTEGER values as JS numbers, which lose digits
 * past 2^53; selecting the column as text hands MikroORM the exact digits to turn into a `bigint`.
 * Writes need nothing: SQLite stores the digit string MikroORM sends as an exact 64-bit INTEGER.
 */
export class SqliteBigIntType extends BigIntType {
  constructor() {
    super('bigint');
  }

  override convertToJSValueSQL(key: string): string {
    return `cast(${key} as text)`;
  }
}
