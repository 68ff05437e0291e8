import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SamplingAnswer } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, callJson, errorOf, makeKey, startTestServer } from './support/server.js';

/**
 * `GET/PUT/DELETE /api/projects/:projectId/sampling` against a real server started with a
 * `--sampling` file: the API's policy over the file's, the default keep rules, a 400 naming the
 * key of every kind of bad policy, and what keys of other roles and projects get.
 */

let server: TestServer;
let dir: string;
const keys: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoor-sampling-'));
  const file = join(dir, 'sampling.json');
  await writeFile(file, JSON.stringify({ default: { rate: 0.5 }, projects: { shop: { rate: 0.2, keep: { errors: true } } } }));
  server = await startTestServer({ sampling: file });
  keys.root = await makeKey(server.url, '*', 'admin');
  keys.shopRead = await makeKey(server.url, 'shop', 'read', keys.root);
  keys.shopAdmin = await makeKey(server.url, 'shop', 'admin', keys.root);
  keys.otherAdmin = await makeKey(server.url, 'other', 'admin', keys.root);
});

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

const DEFAULT_KEEP = { errors: true, slowerThan: { workflow: '600s', step: '120s', llm: '30s' }, costOverUsd: 1 };

describe('the sampling policy API', () => {
  it("answers the file's policy, the API's over it once set, and the file's again once removed", async () => {
    const get = (project: string) => callJson<SamplingAnswer>(server.url, 'GET', `/api/projects/${project}/sampling`, undefined, { key: keys.root });
    expect((await get('default')).body).toEqual({ projectId: 'default', source: 'file', policy: { rate: 0.5, keep: DEFAULT_KEEP }, updatedAt: null });
    expect((await get('shop')).body).toEqual({ projectId: 'shop', source: 'file', policy: { rate: 0.2, keep: { errors: true } }, updatedAt: null });

    const policy = {
      rate: 0.1,
      keep: { errors: false, slowerThan: { tool: '2m' }, costOverUsd: 0.5, scoreUnder: { helpfulness: 0.4 }, filter: 'service=checkout&status=error' },
    };
    const set = await callJson<SamplingAnswer>(server.url, 'PUT', '/api/projects/shop/sampling', policy, { key: keys.shopAdmin });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ projectId: 'shop', source: 'api', policy });
    expect((await get('shop')).body).toEqual(set.body);
    // A rate alone gets the default keep rules.
    expect((await callJson<SamplingAnswer>(server.url, 'PUT', '/api/projects/shop/sampling', { rate: 0.25 }, { key: keys.shopAdmin })).body.policy).toEqual({
      rate: 0.25,
      keep: DEFAULT_KEEP,
    });

    expect((await callJson(server.url, 'DELETE', '/api/projects/shop/sampling', undefined, { key: keys.shopAdmin })).status).toBe(204);
    expect((await get('shop')).body.source).toBe('file');
    expect(errorOf(await callJson(server.url, 'DELETE', '/api/projects/shop/sampling', undefined, { key: keys.shopAdmin }))).toBe(
      "404 project 'shop' has no sampling policy set through the API",
    );
    // A project the file names nothing for has its default; and a project with neither keeps everything.
    expect((await get('fresh')).body.source).toBe('file');
  });

  it('refuses a bad policy with a 400 naming the key, and keeps the one in force', async () => {
    const bad: Array<[unknown, string]> = [
      [{ rate: 2 }, 'rate: must be a number from 0 to 1'],
      [{ keep: {} }, "'rate' is required"],
      [{ rate: 0.1, sample: 1 }, "'sample' is not a field of a policy (rate, keep)"],
      [{ rate: 0.1, keep: { slow: true } }, 'keep.slow: not a keep rule'],
      [{ rate: 0.1, keep: { errors: 'yes' } }, "'keep.errors' must be true or false"],
      [{ rate: 0.1, keep: { slowerThan: { lmm: '30s' } } }, 'keep.slowerThan.lmm: not a span category'],
      [{ rate: 0.1, keep: { slowerThan: { llm: 30 } } }, "'keep.slowerThan.llm'"],
      [{ rate: 0.1, keep: { slowerThan: { llm: '30' } } }, 'keep.slowerThan.llm: must be a duration with its unit'],
      [{ rate: 0.1, keep: { costOverUsd: -1 } }, 'keep.costOverUsd: must be a number of USD, 0 or more'],
      [{ rate: 0.1, keep: { scoreUnder: { helpfulness: 'low' } } }, "'keep.scoreUnder.helpfulness'"],
      [{ rate: 0.1, keep: { filter: 'colour=red' } }, "keep.filter: 'colour' is not a filter"],
      [{ rate: 0.1, keep: { filter: 'minDurationMs=fast' } }, "keep.filter: 'minDurationMs'"],
      [[0.1], 'the body of a sampling policy must'],
    ];
    for (const [body, message] of bad) {
      const answer = await callJson(server.url, 'PUT', '/api/projects/default/sampling', body, { key: keys.root });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(errorOf(answer), JSON.stringify(body)).toContain(message);
    }
    expect((await callJson(server.url, 'PUT', '/api/projects/default/sampling', undefined, { key: keys.root, raw: '{"rate":' })).status).toBe(400);
    expect((await callJson<SamplingAnswer>(server.url, 'GET', '/api/projects/default/sampling', undefined, { key: keys.root })).body.source).toBe('file');
  });

  it("lets a read key read its project's policy and not change it, and finds no other project for another project's key", async () => {
    expect((await callJson(server.url, 'GET', '/api/projects/shop/sampling', undefined, { key: keys.shopRead })).status).toBe(200);
    for (const method of ['PUT', 'DELETE']) {
      expect(
        (await callJson(server.url, method, '/api/projects/shop/sampling', method === 'PUT' ? { rate: 0 } : undefined, { key: keys.shopRead })).status,
        method,
      ).toBe(403);
    }
    // Another project's admin, by any spelling of the project, finds none.
    for (const path of [
      '/api/projects/shop/sampling',
      '/api/projects/SHOP/sampling',
      '/api/projects/%2A/sampling',
      '/api/projects/shop%2F..%2Fother/sampling',
      '/api/projects/%73hop/sampling',
    ]) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const answer = await callJson(server.url, method, path, method === 'GET' ? undefined : { rate: 0 }, { key: keys.otherAdmin });
        expect(answer.status, `${method} ${path}`).toBe(404);
      }
    }
    expect((await callJson<SamplingAnswer>(server.url, 'GET', '/api/projects/shop/sampling', undefined, { key: keys.root })).body.policy?.rate).toBe(0.2);
  });

  it('refuses to start on a sampling file with a bad policy, naming the file and the key', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ projects: { shop: { rate: 0.1, keep: { slowerThan: { llm: 'soon' } } } } }));
    await expect(startTestServer({ sampling: file })).rejects.toThrow(
      `the sampling file ${file} (project shop): invalid sampling policy: keep.slowerThan.llm: must be a duration with its unit`,
    );
  });
});
