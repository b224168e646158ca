import { koshaTest } from '@kosha/testing/vitest';
import { expect } from 'vitest';
import { Customer, CustomerRepo, Order, OrderService } from '../src/index.js';
import { customers } from './factories.js';

// Cache writes happen after a commit: these tests commit for real, then the kit wipes tables and cache.
const test = koshaTest({ entities: [Customer, Order], isolation: 'reset' });

test('the second read of a customer is a cache hit', async ({ cache }) => {
  const ada = await customers.createOne({ name: 'Ada' });
  const repo = new CustomerRepo();
  cache!.resetStats();

  await repo.get(ada.id);
  await repo.get(ada.id);

  expect(cache!.hits).toBe(1);
  expect(await cache!.get<Customer>(`customer:${ada.id}`)).toBeInstanceOf(Customer);
});

test('placing an order evicts the customer, so the next read sees the new points', async ({ cache }) => {
  const ada = await customers.createOne();
  const repo = new CustomerRepo();
  await repo.get(ada.id);
  expect(await cache!.has(`customer:${ada.id}`)).toBe(true);

  await new OrderService().place(ada.id, 'tea', 4);

  expect(await cache!.has(`customer:${ada.id}`)).toBe(false);
  expect((await repo.get(ada.id))?.loyaltyPoints).toBe(18);
});

test('starts from empty tables and an empty cache', async ({ cache }) => {
  expect(await new CustomerRepo().count()).toBe(0);
  expect(await cache!.has('customer:1')).toBe(false);
});
