import { defineFactory } from '@kosha/testing';
import { Customer, Order } from '../src/index.js';

export const customers = defineFactory(Customer, (i) => ({
  name: `Customer ${i}`,
  email: `customer${i}@example.com`,
  loyaltyPoints: 0,
}));

export const orders = defineFactory(Order, (i) => ({
  customer: customers,
  item: 'tea',
  quantity: i,
  totalCents: 450 * i,
}));
