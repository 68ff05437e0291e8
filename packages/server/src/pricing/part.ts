import type { PriceTable } from '@spoor/model';
import type { ServeConfig } from '../config.js';
import { priceTableFrom } from '../normalize/prices.js';
import { type Part, routes } from '../parts/part.js';
import { readJsonFile } from '../user-file.js';
import { PriceBooks } from './price-books.js';
import { type PriceDb, priceRoutes } from './routes.js';

/** The `--prices` file, checked whole: a bad one stops the start, naming the file and what is wrong. */
export async function readPriceTable(path: string): Promise<PriceTable> {
  return priceTableFrom(await readJsonFile(path, 'the price table'), path);
}

/**
 * The price table (`--prices`) and the judges' books over it, first: the decode thread prices
 * spans with the table from its start, and the database thread keeps the books current (the
 * prices set through the API), so a judge's call is priced as its span is.
 */
export function priceTablePart(
  config: Pick<ServeConfig, 'pricesFile'>,
): Part<object, { prices: PriceTable | null; judgeBooks: PriceBooks }, PriceTable | null> {
  return {
    name: 'prices',
    check: () => (config.pricesFile === null ? null : readPriceTable(config.pricesFile)),
    start: (_life, _needs, prices) => ({ prices, judgeBooks: new PriceBooks(prices) }),
  };
}

/**
 * The price API: its calls are on the database thread, which keeps the prices set through it,
 * so its routes come once that thread has started, nothing else to start.
 */
export const pricingPart: Part<{ thread: { calls: PriceDb } }, object> = {
  name: 'pricing',
  start: () => ({}),
  routes: ({ thread }) => [routes('prices', priceRoutes, { db: thread.calls })],
};
