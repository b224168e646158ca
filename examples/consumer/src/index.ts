export { CustomerRepo } from './customer-repo.js';
export { Customer, Order } from './entities.js';
export { startKosha } from './kosha.js';
export { OrderRepo } from './order-repo.js';
export { OrderRejected, OrderService, PRICES } from './order-service.js';
