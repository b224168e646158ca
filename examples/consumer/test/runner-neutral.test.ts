import { createTestKosha, type TestKit } from '@kosha/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Customer, CustomerRepo, Order, OrderService } from '../src/index.js';

// The kit without the vitest helper: the same calls work under node:test or Jest.
let kit: TestKit;
beforeAll(async () => {
  kit = await createTestKosha({ entities: [Customer, Order], cache: 'memory' });
});
afterAll(() => kit.close());

it('isolates a test in a transaction that is rolled back', async () => {
  await kit.isolate(async () => {
    const [ada] = await kit.load(Customer, [{ name: 'Ada', email: 'ada@example.com', loyaltyPoints: 0 }]);
    await new OrderService().place(ada!.id, 'coffee', 10);
    expect((await new CustomerRepo().findByEmail('ada@example.com'))?.loyaltyPoints).toBe(39);
  });
  expect(await new CustomerRepo().count()).toBe(0);
});

it('resets tables for tests that commit', async () => {
  await kit.load(Customer, [{ name: 'Grace', email: 'grace@example.com', loyaltyPoints: 0 }]);
  expect(await new CustomerRepo().count()).toBe(1);
  await kit.reset();
  expect(await new CustomerRepo().count()).toBe(0);
});
