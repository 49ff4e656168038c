import { orderTotal, type DemoData, type Order, type OrderItem, type Product, type User } from './seed-data.ts';

/** A parsed request as the handlers see it; the Host header plays no part in routing. */
export interface DemoRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  bodyText: string;
}

/** What a handler returns; the server adds the volatile fields and serialises it. */
export interface DemoResponse {
  status: number;
  body: Record<string, unknown>;
}

export type DemoHandler = (request: DemoRequest) => DemoResponse;

/**
 * What distinguishes one version of the demo API from another. Everything not here (routing,
 * validation, lookups, status codes) is shared, so versions differ only where they say so.
 */
export interface ApiVersion {
  version: string;
  presentUser(user: User, data: DemoData): Record<string, unknown>;
  presentOrder(order: Order): Record<string, unknown>;
  /** Order of `GET /api/products` results; receives a fresh array it may sort in place. */
  sortProducts(products: Product[]): Product[];
  /** A response that replaces `GET /api/products/:id` for an existing product, if any. */
  failProduct?(product: Product): DemoResponse | undefined;
}

export const MAX_ORDER_LINES = 20;
export const MAX_QUANTITY = 99;
const DEFAULT_ORDER_LIMIT = 20;
const MAX_ORDER_LIMIT = 50;

interface Route {
  method: string;
  pattern: RegExp;
  handle(match: RegExpExecArray, request: DemoRequest): DemoResponse;
}

/** Builds the request handler of one API version over the given data. */
export function createDemoHandler(version: ApiVersion, data: DemoData): DemoHandler {
  const routes: Route[] = [
    { method: 'GET', pattern: /^\/api\/health$/, handle: () => ok({ status: 'ok' }) },
    {
      method: 'GET',
      pattern: /^\/api\/users\/([^/]+)$/,
      handle: ([, id]) => {
        const user = data.usersById.get(parseId(id));
        return user ? ok(version.presentUser(user, data)) : notFound(`user ${id} not found`);
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/users\/([^/]+)\/orders$/,
      handle: ([, id], { query }) => {
        const userId = parseId(id);
        const orders = data.ordersByUser.get(userId);
        if (!orders) return notFound(`user ${id} not found`);
        const limit = parseLimit(query.get('limit'));
        if (limit === undefined) return error(400, 'invalid_query', `limit must be an integer from 1 to ${MAX_ORDER_LIMIT}`);
        const status = query.get('status');
        const matching = status === null ? orders : orders.filter((order) => order.status === status);
        const items = matching.slice(0, limit).map((order) => version.presentOrder(order));
        return ok({ userId, status, items, count: items.length, totalCount: matching.length });
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/orders\/([^/]+)$/,
      handle: ([, id]) => {
        const order = data.ordersById.get(parseId(id));
        return order ? ok(version.presentOrder(order)) : notFound(`order ${id} not found`);
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/products$/,
      handle: (_match, { query }) => {
        const category = query.get('category');
        const matching = data.products.filter((product) => category === null || product.category === category);
        const items = version.sortProducts(matching).map(presentProduct);
        return ok({ category, items, count: items.length });
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/products\/([^/]+)$/,
      handle: ([, id]) => {
        const product = data.productsById.get(parseId(id));
        if (!product) return notFound(`product ${id} not found`);
        return version.failProduct?.(product) ?? ok(presentProduct(product));
      },
    },
    { method: 'POST', pattern: /^\/api\/orders$/, handle: (_match, request) => createOrder(request, data, version) },
  ];

  return (request) => {
    for (const route of routes) {
      if (route.method !== request.method) continue;
      const match = route.pattern.exec(request.path);
      if (match) return route.handle(match, request);
    }
    return notFound(`no route for ${request.method} ${request.path}`);
  };
}

/** Both versions present products the same way. */
function presentProduct(product: Product): Record<string, unknown> {
  return { id: product.id, name: product.name, category: product.category, price: product.price, stock: product.stock };
}

/**
 * Validates and echoes a new order without storing it: stored orders would make later GETs
 * depend on which instance saw which POST. The id is derived from the order's content for the
 * same reason, so every instance answers the same POST with the same body.
 */
function createOrder(request: DemoRequest, data: DemoData, version: ApiVersion): DemoResponse {
  let input: unknown;
  try {
    input = JSON.parse(request.bodyText);
  } catch {
    return error(400, 'invalid_json', 'request body must be JSON');
  }
  if (!isRecord(input) || typeof input.userId !== 'number' || !Array.isArray(input.items)) {
    return error(422, 'invalid_order', 'expected { userId: number, items: [{ productId, quantity }] }');
  }
  if (!data.usersById.has(input.userId)) return error(422, 'invalid_order', `user ${input.userId} does not exist`);
  if (input.items.length === 0 || input.items.length > MAX_ORDER_LINES) {
    return error(422, 'invalid_order', `an order has 1 to ${MAX_ORDER_LINES} items`);
  }
  const items: OrderItem[] = [];
  for (const item of input.items as unknown[]) {
    const product = isRecord(item) && typeof item.productId === 'number' ? data.productsById.get(item.productId) : undefined;
    const quantity = isRecord(item) ? item.quantity : undefined;
    if (!product) return error(422, 'invalid_order', 'every item needs an existing productId');
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
      return error(422, 'invalid_order', `quantity must be an integer from 1 to ${MAX_QUANTITY}`);
    }
    items.push({ productId: product.id, quantity, unitPrice: product.price });
  }
  const order: Order = {
    id: 100_000 + (fnv1a(JSON.stringify([input.userId, items])) % 900_000),
    userId: input.userId,
    status: 'pending',
    items,
    total: orderTotal(items),
    currency: 'EUR',
    createdAt: '',
  };
  const body = version.presentOrder(order);
  // A creation time would differ per instance; the response's generatedAt already carries it.
  delete body.createdAt;
  return { status: 201, body };
}

/** Ids are positive decimal integers; anything else simply matches no record. */
function parseId(text: string | undefined): number {
  return text !== undefined && /^[1-9]\d{0,8}$/.test(text) ? Number(text) : Number.NaN;
}

function parseLimit(text: string | null): number | undefined {
  if (text === null) return DEFAULT_ORDER_LIMIT;
  if (!/^\d{1,3}$/.test(text)) return undefined;
  const limit = Number(text);
  return limit >= 1 && limit <= MAX_ORDER_LIMIT ? limit : undefined;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ok(body: Record<string, unknown>): DemoResponse {
  return { status: 200, body };
}

function notFound(message: string): DemoResponse {
  return error(404, 'not_found', message);
}

/** Error bodies follow the project's `{ error: { code, message } }` shape. */
export function error(status: number, code: string, message: string): DemoResponse {
  return { status, body: { error: { code, message } } };
}
