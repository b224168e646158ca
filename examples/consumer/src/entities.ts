import { column, entity, id, manyToOne, OptionalProps, table, version } from '@kosha/core';

/** A customer of the shop. */
@entity
@table('customers')
export class Customer {
  // A new customer may leave out what the database fills in.
  declare [OptionalProps]?: 'loyaltyPoints' | 'version';
  @id({ autoincrement: true }) id!: number;
  @column({ type: 'string', length: 100 }) name!: string;
  @column({ type: 'string', length: 255, unique: true }) email!: string;
  @column({ type: 'integer', default: 0 }) loyaltyPoints!: number;
  @version() version!: number;
}

/** An order a customer placed (Customer 1:m Order). */
@entity
@table('orders')
export class Order {
  @id({ autoincrement: true }) id!: number;
  @manyToOne(() => Customer) customer!: Customer;
  @column({ type: 'string', length: 100 }) item!: string;
  @column({ type: 'integer' }) quantity!: number;
  @column({ type: 'integer' }) totalCents!: number;
}
