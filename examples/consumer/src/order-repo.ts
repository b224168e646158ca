import { DbRepo, repository, transactional } from '@kosha/core';
import { Order } from './entities.js';

/** Orders. */
@repository
export class OrderRepo extends DbRepo<Order> {
  constructor() {
    super(Order);
  }

  @transactional({ readOnly: true })
  async ofCustomer(customerId: number): Promise<Order[]> {
    return this.em.find(Order, { customer: customerId }, { orderBy: { id: 'asc' } });
  }
}
