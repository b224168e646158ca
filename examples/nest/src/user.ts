import { column, entity, id, table } from '@kosha/core';

/** A user of the example app. */
@entity
@table('nest_example_users')
export class User {
  @id() id!: number;
  @column({ type: 'string', length: 100 }) name!: string;
  @column({ type: 'string', length: 200, unique: true }) email!: string;
}
