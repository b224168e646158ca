import { cacheable, cacheEvict, DbRepo, repository, transactional } from '@kosha/core';
import { Customer } from './entities.js';

/** Customers, cached by id under `customer:{id}`. */
@repository
export class CustomerRepo extends DbRepo<Customer> {
  constructor() {
    super(Customer);
  }

  @transactional({ readOnly: true })
  @cacheable({ keyPrefix: 'customer', ttl: 600 })
  async get(customerId: number): Promise<Customer | null> {
    return this.getById(customerId);
  }

  @transactional({ readOnly: true })
  async findByEmail(email: string): Promise<Customer | null> {
    return this.findByField('email', email);
  }

  @transactional
  @cacheEvict({ keyPrefix: 'customer', key: (customer: Customer) => customer.id })
  async addPoints(customer: Customer, points: number): Promise<Customer> {
    customer.loyaltyPoints += points;
    return this.update(customer);
  }
}
