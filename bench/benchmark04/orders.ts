// Order messages for benchmark04, built like Kestra's (kestra-io/benchmarks: an order with a
// customer, an address and product items; their 1.6 KB / 16 KB / 160 KB files hold 1, 10 and 100
// products): order_id, first_name, last_name, address {…, city, country}, items [{product, quantity,
// price_per_unit, …}]. The item count grows ×10 with the size, and a `notes` field pads the message
// to the exact size. `published_at` (Date.now() at send) comes first, so it is cheap to find.
export const SIZES = { '1.6KB': 1600, '16KB': 16_000, '160KB': 160_000 } as const;
export type SizeName = keyof typeof SIZES;

const FIRST = ['John', 'Maria', 'Wei', 'Aisha', 'Lucas', 'Sofia', 'Kenji', 'Olga', 'Pedro', 'Fatima'];
const LAST = ['Doe', 'Garcia', 'Chen', 'Khan', 'Martin', 'Rossi', 'Tanaka', 'Ivanova', 'Silva', 'Haddad'];
const CITIES = [['Paris', 'France'], ['Lyon', 'France'], ['Berlin', 'Germany'], ['Madrid', 'Spain'], ['Rome', 'Italy'], ['Lisbon', 'Portugal']];
const PRODUCTS = [
  ['Essence Mascara Lash Princess', 'beauty', 9.99], ['Eyeshadow Palette with Mirror', 'beauty', 19.99], ['Powder Canister', 'beauty', 14.99],
  ['Red Lipstick', 'beauty', 12.99], ['Apple', 'groceries', 0.5], ['Banana', 'groceries', 0.3], ['Orange', 'groceries', 0.4],
  ['Wooden Bathroom Sink With Mirror', 'furniture', 799.99], ['Annibale Colombo Bed', 'furniture', 1899.99], ['Calvin Klein CK One', 'fragrances', 49.99],
] as const;

/** A seeded generator, so every run sends the same orders. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function item(r: () => number, i: number) {
  const [name, category, price] = PRODUCTS[Math.floor(r() * PRODUCTS.length)];
  return {
    product_id: String(1 + Math.floor(r() * 999)).padStart(3, '0'),
    product: name,
    category,
    quantity: 1 + Math.floor(r() * 9),
    price_per_unit: price,
    sku: `${category.slice(0, 3).toUpperCase()}-${String(i).padStart(4, '0')}`,
    discount_percentage: Math.round(r() * 2000) / 100,
  };
}

const ITEMS: Record<SizeName, number> = { '1.6KB': 5, '16KB': 50, '160KB': 500 };

/** The order template of a size (without published_at), as JSON text after `{"published_at":0,`. */
export function orderBody(size: SizeName, seed = 42): string {
  const r = rng(seed);
  const [city, country] = CITIES[Math.floor(r() * CITIES.length)];
  const order = {
    order_id: `ORD-${String(Math.floor(r() * 1e8)).padStart(8, '0')}`,
    first_name: FIRST[Math.floor(r() * FIRST.length)],
    last_name: LAST[Math.floor(r() * LAST.length)],
    email: 'customer@example.com',
    address: { street: '12 Rue de la Paix', zip: '75002', city, country },
    items: Array.from({ length: ITEMS[size] }, (_, i) => item(r, i)),
    notes: '',
  };
  const target = SIZES[size];
  const head = '{"published_at":1795000000000,';
  let text = JSON.stringify(order);
  const missing = target - head.length - (text.length - 1);
  if (missing > 0) order.notes = 'x'.repeat(missing);
  text = JSON.stringify(order);
  return text.slice(1); // without the opening brace: the producer prepends the stamp
}

/** One message: the stamp first, then the order. */
export const orderMessage = (body: string, publishedAt: number): string => `{"published_at":${publishedAt},${body}`;
