import { seededRandom } from '@shadowdiff/core';

/** A user of the demo shop. */
export interface User {
  id: number;
  name: string;
  email: string;
  country: string;
  createdAt: string;
}

/** A product of the demo shop; `price` is in euros with two decimals. */
export interface Product {
  id: number;
  name: string;
  category: string;
  price: number;
  stock: number;
}

/** One line of an order. */
export interface OrderItem {
  productId: number;
  quantity: number;
  unitPrice: number;
}

/** An order; `total` is the sum of its lines in euros with two decimals. */
export interface Order {
  id: number;
  userId: number;
  status: OrderStatus;
  items: OrderItem[];
  total: number;
  currency: 'EUR';
  createdAt: string;
}

export type OrderStatus = 'pending' | 'paid' | 'shipped' | 'delivered' | 'cancelled';

/** The demo shop's data with lookup indexes. Treated as read-only by every handler. */
export interface DemoData {
  users: User[];
  products: Product[];
  orders: Order[];
  usersById: Map<number, User>;
  productsById: Map<number, Product>;
  ordersById: Map<number, Order>;
  /** Orders of each user, by ascending order id; users without orders have an empty list. */
  ordersByUser: Map<number, Order[]>;
}

export const PRODUCT_CATEGORIES = ['books', 'electronics', 'garden', 'kitchen', 'toys'] as const;
export const ORDER_STATUSES: readonly OrderStatus[] = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'];

/** Sizes of the generated data set. */
export const SEED_COUNTS = { users: 50, products: 30, orders: 200 } as const;

const DEFAULT_SEED = 0x5eed_d1ff;
const FIRST_NAMES = ['Ada', 'Bruno', 'Chloé', 'Dmitri', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Luca', 'Maya', 'Noah', 'Olga', 'Priya'];
const LAST_NAMES = ['Andersen', 'Bauer', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'García', 'Haddad', 'Ito', 'Jansen', 'Kowalski', 'Lopez', 'Moreau', 'Nakamura'];
const COUNTRIES = ['DE', 'FR', 'NL', 'ES', 'IT', 'SE', 'PL', 'PT'];
const ADJECTIVES = ['Compact', 'Classic', 'Deluxe', 'Eco', 'Mini', 'Pro', 'Smart', 'Vintage'];
const NOUNS: Record<(typeof PRODUCT_CATEGORIES)[number], string[]> = {
  books: ['Cookbook', 'Novel', 'Atlas', 'Field Guide'],
  electronics: ['Headphones', 'Charger', 'Speaker', 'Keyboard'],
  garden: ['Trowel', 'Hose', 'Planter', 'Seed Kit'],
  kitchen: ['Kettle', 'Knife Set', 'Grinder', 'Skillet'],
  toys: ['Puzzle', 'Kite', 'Robot', 'Board Game'],
};
const EPOCH = Date.UTC(2024, 0, 1);
const DAY_MS = 86_400_000;

/** Builds the demo shop's data. The same seed always yields the same data, in every process. */
export function createSeedData(seed: number = DEFAULT_SEED): DemoData {
  const random = seededRandom(seed);
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[int(0, list.length - 1)]!;
  const timestamp = (maxDays: number): string => new Date(EPOCH + int(0, maxDays * DAY_MS / 1000) * 1000).toISOString();

  const users: User[] = [];
  for (let id = 1; id <= SEED_COUNTS.users; id++) {
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    users.push({
      id,
      name: `${first} ${last}`,
      email: `${asciiSlug(first)}.${asciiSlug(last)}${id}@example.com`,
      country: pick(COUNTRIES),
      createdAt: timestamp(180),
    });
  }

  const products: Product[] = [];
  for (let id = 1; id <= SEED_COUNTS.products; id++) {
    const category = PRODUCT_CATEGORIES[(id - 1) % PRODUCT_CATEGORIES.length]!;
    products.push({
      id,
      name: `${pick(ADJECTIVES)} ${pick(NOUNS[category])}`,
      category,
      price: int(199, 19_999) / 100,
      stock: int(0, 500),
    });
  }

  const orders: Order[] = [];
  for (let id = 1; id <= SEED_COUNTS.orders; id++) {
    const items: OrderItem[] = [];
    const lines = int(1, 4);
    for (let line = 0; line < lines; line++) {
      const product = pick(products);
      items.push({ productId: product.id, quantity: int(1, 3), unitPrice: product.price });
    }
    orders.push({
      id,
      userId: int(1, SEED_COUNTS.users),
      status: pick(ORDER_STATUSES),
      items,
      total: orderTotal(items),
      currency: 'EUR',
      createdAt: timestamp(300),
    });
  }

  return indexData(users, products, orders);
}

/** Sum of the lines in euros, computed in cents so 0.1 + 0.2 never leaks into a response. */
export function orderTotal(items: readonly OrderItem[]): number {
  const cents = items.reduce((sum, item) => sum + Math.round(item.unitPrice * 100) * item.quantity, 0);
  return cents / 100;
}

function indexData(users: User[], products: Product[], orders: Order[]): DemoData {
  const ordersByUser = new Map<number, Order[]>(users.map((user) => [user.id, []]));
  for (const order of orders) ordersByUser.get(order.userId)?.push(order);
  return {
    users,
    products,
    orders,
    usersById: new Map(users.map((user) => [user.id, user])),
    productsById: new Map(products.map((product) => [product.id, product])),
    ordersById: new Map(orders.map((order) => [order.id, order])),
    ordersByUser,
  };
}

function asciiSlug(text: string): string {
  return text.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase();
}
