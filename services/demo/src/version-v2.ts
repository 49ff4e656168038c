import { error, type ApiVersion } from './handlers.ts';
import type { DemoData, Order, Product, User } from './seed-data.ts';

/** Existing products whose id is a multiple of this fail on v2 (a partial regression). */
export const FAILING_PRODUCT_ID_MULTIPLE = 5;

export type LoyaltyTier = 'bronze' | 'silver' | 'gold';

/**
 * v2, the candidate. Every difference from v1 is deliberate and listed in
 * {@link describeDemoDifferences}; keep the two in step.
 */
export const apiV2: ApiVersion = {
  version: 'v2',
  presentUser: (user: User, data: DemoData) => ({
    id: user.id,
    name: user.name,
    emailAddress: user.email,
    country: user.country,
    createdAt: user.createdAt,
    loyaltyTier: loyaltyTier(data.ordersByUser.get(user.id) ?? []),
  }),
  presentOrder: (order: Order) => ({
    id: order.id,
    userId: order.userId,
    status: order.status,
    items: order.items.map((item) => ({ productId: item.productId, quantity: item.quantity, unitPrice: item.unitPrice })),
    total: order.total.toFixed(2),
    currency: order.currency,
    createdAt: order.createdAt,
  }),
  sortProducts: (products: Product[]) => products.sort((a, b) => a.price - b.price || a.id - b.id),
  failProduct: (product: Product) =>
    product.id % FAILING_PRODUCT_ID_MULTIPLE === 0 ? error(500, 'internal_error', 'internal server error') : undefined,
};

/** Tier from lifetime spend on orders that were not cancelled. */
export function loyaltyTier(orders: readonly Order[]): LoyaltyTier {
  const spent = orders.filter((order) => order.status !== 'cancelled').reduce((sum, order) => sum + order.total, 0);
  if (spent >= 500) return 'gold';
  if (spent >= 150) return 'silver';
  return 'bronze';
}

/** Short human lines naming each deliberate difference between v1 (primary) and v2 (candidate). */
export function describeDemoDifferences(): string[] {
  return [
    'GET /api/users/{id}: field `email` renamed to `emailAddress` on the candidate',
    'GET /api/users/{id}: new field `loyaltyTier` (bronze|silver|gold) on the candidate',
    'GET /api/orders/{id}, GET /api/users/{id}/orders (items[*]), POST /api/orders: `total` is a string ("12.50") instead of a number on the candidate',
    `GET /api/products/{id}: the candidate answers 500 for ids that are multiples of ${FAILING_PRODUCT_ID_MULTIPLE}`,
    'GET /api/products: the candidate sorts `items` by price instead of by id',
    'every response, every version: `generatedAt` (current time) and `traceId` (random UUID) differ each time — noise, also primary vs secondary',
  ];
}
