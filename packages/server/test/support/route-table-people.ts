import { randomBytes } from 'node:crypto';
import { type Row, read, readId } from './route-row.js';
import { SHOP_TRACE } from './route-table-records.js';

/** The route table's rows (`route-table.ts`) of what people make and review: dashboards, review queues and prompts. */
export const PEOPLE_ROWS: Record<string, Row> = {
  // Dashboards: a read key reads; an admin saves and deletes. A ready one is every project's own.
  'GET /api/dashboards': read('/api/dashboards'),
  'GET /api/dashboards/:name': readId(() => '/api/dashboards/shop-dash'),
  'GET /api/dashboards/:name/versions': readId(() => '/api/dashboards/shop-dash/versions'),
  'POST /api/dashboards/preview': {
    path: () => '/api/dashboards/preview',
    body: () => {
      const nowS = Math.floor(Date.now() / 1000);
      return { queries: [{ expr: 'count(spans)[1h] by (name)' }], start: nowS - 7200, end: nowS + 60, step: 3600 };
    },
    need: 'read',
    foreign: 'no-leak',
  },
  'PUT /api/dashboards/:name': { path: () => '/api/dashboards/put-dash', body: () => ({ title: 'Put', panels: [] }), need: 'admin', foreign: 'own' },
  'DELETE /api/dashboards/:name': { path: () => '/api/dashboards/to-delete-dash', need: 'admin', foreign: 'not-found' },
  // Review queues: admins make and fill them; a read key reviews. The held queue's item is the
  // admin's, so a reviewer's submit, skip and release of it get as far as being told so (409).
  'GET /api/queues': read('/api/queues'),
  'POST /api/queues': {
    path: () => '/api/queues',
    body: () => ({ name: `posted-${randomBytes(4).toString('hex')}`, rubric: [{ name: 'ok', type: 'boolean' }] }),
    need: 'admin',
    foreign: 'own',
  },
  'GET /api/queues/:name': readId(() => '/api/queues/shop-queue'),
  'DELETE /api/queues/:name': { path: () => '/api/queues/to-delete-queue', need: 'admin', foreign: 'not-found' },
  'POST /api/queues/:name/items': {
    path: () => '/api/queues/shop-queue/items',
    body: () => ({ items: [{ traceId: SHOP_TRACE }] }),
    need: 'admin',
    foreign: 'not-found',
  },
  'GET /api/queues/:name/items': readId(() => '/api/queues/shop-queue/items'),
  'GET /api/queues/:name/items/:itemId': readId(() => `/api/queues/shop-queue/items/${SHOP_TRACE}`),
  'GET /api/queues/:name/agreement': readId(() => '/api/queues/shop-queue/agreement'),
  'POST /api/queues/:name/next': { path: () => '/api/queues/shop-queue/next', need: 'read', foreign: 'not-found' },
  'POST /api/queues/:name/items/:itemId/submit': {
    path: () => `/api/queues/held-queue/items/${SHOP_TRACE}/submit`,
    body: () => ({ scores: [{ name: 'ok', value: true }] }),
    need: 'read',
    foreign: 'not-found',
    ok: 409,
  },
  'POST /api/queues/:name/items/:itemId/skip': { path: () => `/api/queues/held-queue/items/${SHOP_TRACE}/skip`, need: 'read', foreign: 'not-found', ok: 409 },
  'POST /api/queues/:name/items/:itemId/release': {
    path: () => `/api/queues/held-queue/items/${SHOP_TRACE}/release`,
    need: 'read',
    foreign: 'not-found',
    ok: 409,
  },
  // Prompts: read keys fetch them; admins add versions, move labels and delete.
  'GET /api/prompts': read('/api/prompts'),
  'POST /api/prompts': {
    path: () => '/api/prompts',
    body: () => ({ name: `posted-${randomBytes(4).toString('hex')}`, prompt: 'Hello {{name}}' }),
    need: 'admin',
    foreign: 'own',
  },
  'GET /api/prompts/:name': readId(() => '/api/prompts/shop-prompt'),
  'DELETE /api/prompts/:name': { path: () => '/api/prompts/to-delete-prompt', need: 'admin', foreign: 'not-found' },
  'GET /api/prompts/:name/versions': readId(() => '/api/prompts/shop-prompt/versions'),
  'GET /api/prompts/:name/stats': readId(() => '/api/prompts/shop-prompt/stats'),
  'PUT /api/prompts/:name/labels/:label': {
    path: () => '/api/prompts/shop-prompt/labels/production',
    body: () => ({ version: 1 }),
    need: 'admin',
    foreign: 'not-found',
  },
  'GET /api/prompts/:name/labels/:label/history': readId(() => '/api/prompts/shop-prompt/labels/production/history'),
};
