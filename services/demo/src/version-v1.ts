import type { ApiVersion } from './handlers.ts';
import type { Order, Product, User } from './seed-data.ts';

/** v1, the version in production: the demo's primary and secondary. */
export const apiV1: ApiVersion = {
  version: 'v1',
  presentUser: (user: User) => ({
    id: user.id,
    name: user.name,
    email: user.email,
    country: user.country,
    createdAt: user.createdAt,
  }),
  presentOrder: (order: Order) => ({
    id: order.id,
    userId: order.userId,
    status: order.status,
    items: order.items.map((item) => ({ productId: item.productId, quantity: item.quantity, unitPrice: item.unitPrice })),
    total: order.total,
    currency: order.currency,
    createdAt: order.createdAt,
  }),
  sortProducts: (products: Product[]) => products.sort((a, b) => a.id - b.id),
};
