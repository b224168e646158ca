import { EntityNotFoundError, transactional } from '@kosha/core';
import { CustomerRepo } from './customer-repo.js';
import type { Order } from './entities.js';
import { OrderRepo } from './order-repo.js';

/** An order the shop refuses (the transaction rolls back). */
export class OrderRejected extends Error {
  override name = 'OrderRejected';
}

/** Prices in cents; an unknown item cannot be ordered. */
export const PRICES: Readonly<Record<string, number>> = { tea: 450, coffee: 390, cake: 520 };

/** Placing orders: the order and the customer's loyalty points commit together, or not at all. */
export class OrderService {
  constructor(
    readonly customers = new CustomerRepo(),
    readonly orders = new OrderRepo(),
  ) {}

  /** One point per euro spent. */
  @transactional
  async place(customerId: number, item: string, quantity: number): Promise<Order> {
    const customer = await this.customers.getById(customerId);
    if (!customer) throw new EntityNotFoundError(`No customer ${customerId}.`);
    const price = PRICES[item];
    if (price === undefined) throw new OrderRejected(`We do not sell ${item}.`);
    if (!Number.isInteger(quantity) || quantity < 1) throw new OrderRejected('quantity must be ≥ 1.');
    const totalCents = price * quantity;
    const [order] = await this.orders.insertAll([{ customer, item, quantity, totalCents }]);
    await this.customers.addPoints(customer, Math.floor(totalCents / 100));
    return order!;
  }
}
