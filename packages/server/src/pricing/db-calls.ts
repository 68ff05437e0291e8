import { jsonCall as json } from '../json.js';
import { callGroup } from '../threads/groups.js';
import type { PriceService } from './price-service.js';

/** The price API's calls on the database thread (`db.prices.list(…)`), over the thread's price book; answered as the JSON the API sends on. */
export const priceCalls = callGroup(({ pricing }: { pricing: PriceService }) => ({
  list: json(pricing.listPrices.bind(pricing)),
  put: json(pricing.putPrice.bind(pricing)),
  delete: json(pricing.deletePrice.bind(pricing)),
  reprice: json(pricing.reprice.bind(pricing)),
  unpriced: json(pricing.listUnpricedModels.bind(pricing)),
}));
