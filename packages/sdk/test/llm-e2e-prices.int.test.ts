import { type PriceListResponse } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { PRICES, UNPRICED_MODEL, useSpoorServer } from './support/llm-e2e.js';

/**
 * The price table the `llm-e2e-*` files work their expected costs out from
 * (`PRICES` in ./support/llm-e2e.ts): the server's default prices must be these.
 */

const server = useSpoorServer();

describe('the price table the expected costs are worked out from', () => {
  it('GET /api/prices has the prices this file computes with, and none of them has a reasoning price', async () => {
    const { status, body } = await server.getJson<PriceListResponse>('/api/prices');
    expect(status).toBe(200);
    for (const [model, price] of Object.entries(PRICES)) {
      const entry = body.models.find((m) => m.model === model);
      expect(entry, `price of ${model}`).toMatchObject({ ...price, model, origin: 'default' });
      expect(entry?.reasoning, `reasoning price of ${model}`).toBeUndefined();
    }
    expect(body.models.find((m) => m.model === UNPRICED_MODEL)).toBeUndefined();
  });
});
