import { EntityNotFoundError } from '@kosha/core';
import { koshaTest } from '@kosha/testing/vitest';
import { describe, expect } from 'vitest';
import { Customer, Order, OrderRejected, OrderService } from '../src/index.js';
import { customers, orders } from './factories.js';

// Each test runs in a transaction that is rolled back afterwards: no clean-up, no shared rows.
const test = koshaTest({ entities: [Customer, Order] });

describe('OrderService.place', () => {
  test('saves the order and credits one point per euro', async ({ fixtures }) => {
    const [ada] = await fixtures.load(Customer, [
      { name: 'Ada', email: 'ada@example.com', loyaltyPoints: 0 },
    ]);
    const service = new OrderService();

    const order = await service.place(ada!.id, 'cake', 3);

    expect(order).toMatchObject({ item: 'cake', quantity: 3, totalCents: 1560 });
    expect((await service.customers.getById(ada!.id))?.loyaltyPoints).toBe(15);
    expect(await service.orders.ofCustomer(ada!.id)).toHaveLength(1);
  });

  test('refuses an unknown item and writes nothing', async () => {
    const grace = await customers.createOne();
    const service = new OrderService();

    await expect(service.place(grace.id, 'caviar', 1)).rejects.toBeInstanceOf(OrderRejected);

    expect(await service.orders.count()).toBe(0);
    expect((await service.customers.getById(grace.id))?.loyaltyPoints).toBe(0);
  });

  test('says when the customer does not exist', async () => {
    await expect(new OrderService().place(404, 'tea', 1)).rejects.toBeInstanceOf(EntityNotFoundError);
  });
});

describe('isolation', () => {
  test('a test writes rows…', async () => {
    const made = await orders.create(2);
    expect(made.map((o) => o.totalCents)).toEqual([450, 900]);
    expect(await new OrderService().orders.count()).toBe(2);
  });

  test('…that the next test does not see', async () => {
    const service = new OrderService();
    expect(await service.orders.count()).toBe(0);
    expect(await service.customers.count()).toBe(0);
  });
});
