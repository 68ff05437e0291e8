import type { FetchedPrompt, PromptLabelMove, PromptSummary, PromptVersion } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { type ApiAnswer, type TestServer, callJson, errorOf, startTestServer } from './support/server.js';

/**
 * Prompts end to end on a running server, on DuckDB and on ClickHouse: versions numbered and never
 * rewritten, labels pointed at a version or split between versions (a sticky key always given the
 * same one), each move kept with who made it and in the audit log; read keys read, admin keys
 * write; another project sees nothing; bad input is a 400 naming the field.
 */

describe.each(['duckdb', 'clickhouse'] as const)('prompts on a running server (%s store)', (storeName) => {
  let server: TestServer;
  let endpoint: ClickHouseEndpoint | null = null;
  const keys: Record<'admin' | 'read' | 'ingest' | 'otherAdmin', string> = { admin: '', read: '', ingest: '', otherAdmin: '' };
  let adminId = '';

  const call = <T = unknown>(method: string, path: string, key: string, body?: unknown): Promise<ApiAnswer<T>> =>
    callJson<T>(server.url, method, path, body, { key });
  const create = (body: object, key = keys.admin) => call<PromptVersion>('POST', '/api/prompts', key, body);
  const label = (name: string, labelName: string, body: object, key = keys.admin) =>
    call<PromptLabelMove>('PUT', `/api/prompts/${name}/labels/${labelName}`, key, body);
  const fetchPrompt = (name: string, query = '', key = keys.read) => call<FetchedPrompt>('GET', `/api/prompts/${name}${query}`, key);

  beforeAll(async () => {
    endpoint = storeName === 'clickhouse' ? await startClickHouseEndpoint() : null;
    server = await startTestServer(endpoint === null ? {} : { store: 'clickhouse', clickhouseUrl: `${endpoint.url}/prompts` });
    const made = async (project: string, role: string, by?: string) => {
      const answer = await callJson<{ key: string; id: string }>(server.url, 'POST', '/api/keys', { project, role }, { key: by });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      return answer.body;
    };
    const root = (await made('*', 'admin')).key;
    const admin = await made('default', 'admin', root);
    [keys.admin, adminId] = [admin.key, admin.id];
    keys.read = (await made('default', 'read', root)).key;
    keys.ingest = (await made('default', 'ingest', root)).key;
    keys.otherAdmin = (await made('other', 'admin', root)).key;
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await endpoint?.close();
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const cases: [object, string][] = [
      [{ name: 'bad name!', prompt: 'hi' }, '400 name: 1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit'],
      [{ name: 'p', prompt: '' }, '400 prompt: 1 to 200000 characters'],
      [{ name: 'p', prompt: [{ role: 'wizard', content: 'x' }] }, '400 prompt[0].role: one of system, developer, user, assistant, tool'],
      [{ name: 'p', prompt: 'hi', config: { temperature: 3 } }, '400 config.temperature: a number from 0 to 2'],
      [
        { name: 'p', prompt: 'hi', config: { topK: 3 } },
        "400 config.topK: not a field of a prompt's config (model, temperature, maxTokens, tools, responseFormat)",
      ],
      [{ name: 'p', prompt: 'hi', config: { responseFormat: { type: 'xml' } } }, "400 config.responseFormat: { type: 'json' }, or { type: 'json', schema }"],
      [
        { name: 'p', prompt: 'hi', type: 'chat' },
        '400 type: chat does not match the prompt given (a text prompt is a string, a chat prompt a list of messages)',
      ],
      [
        { name: 'p', prompt: 'hi', labels: ['Prod'] },
        '400 labels[0]: 1 to 50 lowercase letters, digits, dots, dashes or underscores, starting with a letter or digit',
      ],
    ];
    for (const [body, message] of cases) expect(errorOf(await create(body))).toBe(message);
    expect((await create({ name: 'p', prompt: 'hi', extra: 1 })).status).toBe(400);
    expect((await call('GET', '/api/prompts', keys.read)).body).toEqual({ prompts: [] });
  });

  it('numbers versions from 1, keeps each as sent, and fetches production, else the newest', async () => {
    const v1 = await create({ name: 'greet', prompt: 'Hello {{name}}, about {{ topic }}', config: { model: 'gpt-4o-mini', temperature: 0.2 } });
    expect(v1.status, JSON.stringify(v1.body)).toBe(201);
    expect(v1.body).toMatchObject({ name: 'greet', version: 1, type: 'text', variables: ['name', 'topic'], labels: [], createdBy: adminId });
    expect(v1.body.config).toEqual({ model: 'gpt-4o-mini', temperature: 0.2, maxTokens: null, tools: null, responseFormat: null });
    const chat = [
      { role: 'system', content: 'You greet {{name}}.' },
      { role: 'user', content: 'Say hi.' },
    ];
    const v2 = await create({ name: 'greet', prompt: chat, config: { responseFormat: { type: 'json' }, maxTokens: 50 }, message: 'chat form' });
    expect(v2.body).toMatchObject({ version: 2, type: 'chat', prompt: chat, variables: ['name'], message: 'chat form' });
    // No production label yet: the newest.
    expect((await fetchPrompt('greet')).body).toMatchObject({ version: 2, label: null, split: null });
    const v3 = await create({ name: 'greet', prompt: 'Hi {{name}}', labels: ['production', 'staging'] });
    expect(v3.body).toMatchObject({ version: 3, labels: ['production', 'staging'] });
    expect((await label('greet', 'production', { version: 1 })).body).toMatchObject({ from: [{ version: 3, weight: 100 }], to: [{ version: 1, weight: 100 }] });
    expect((await fetchPrompt('greet')).body).toMatchObject({ version: 1, label: 'production', split: [{ version: 1, weight: 100 }], prompt: v1.body.prompt });
    expect((await fetchPrompt('greet', '?label=staging')).body).toMatchObject({ version: 3, label: 'staging' });
    expect((await fetchPrompt('greet', '?version=2')).body).toMatchObject({ version: 2, prompt: chat, label: null });
    const versions = await call<{ versions: PromptVersion[] }>('GET', '/api/prompts/greet/versions', keys.read);
    expect(versions.body.versions.map((v) => [v.version, v.labels])).toEqual([
      [3, ['staging']],
      [2, []],
      [1, ['production']],
    ]);
    const list = await call<{ prompts: PromptSummary[] }>('GET', '/api/prompts', keys.read);
    expect(list.body.prompts).toMatchObject([
      { name: 'greet', latestVersion: 3, labels: { production: [{ version: 1, weight: 100 }], staging: [{ version: 3, weight: 100 }] } },
    ]);
  });

  it('refuses a label on a version that does not exist (404), weights not summing to 100 (400), and unknown prompts and labels (404)', async () => {
    expect(errorOf(await label('greet', 'production', { version: 9 }))).toBe('404 prompt greet has no version 9');
    expect(
      errorOf(
        await label('greet', 'production', {
          split: [
            { version: 1, weight: 90 },
            { version: 2, weight: 5 },
          ],
        }),
      ),
    ).toBe('400 split: the weights sum to 95, not 100');
    expect(
      errorOf(
        await label('greet', 'production', {
          split: [
            { version: 1, weight: 50 },
            { version: 1, weight: 50 },
          ],
        }),
      ),
    ).toBe('400 split: a split names each version once');
    expect(errorOf(await label('greet', 'production', { version: 1, split: [] }))).toBe('400 version: give a version or a split, one of the two');
    expect(errorOf(await label('greet', 'Bad', { version: 1 }))).toBe(
      '400 label: 1 to 50 lowercase letters, digits, dots, dashes or underscores, starting with a letter or digit',
    );
    expect(errorOf(await fetchPrompt('greet', '?label=canary'))).toBe('404 prompt greet has no label canary');
    expect(errorOf(await fetchPrompt('greet', '?version=7'))).toBe('404 prompt greet has no version 7');
    expect(errorOf(await fetchPrompt('greet', '?version=1&label=production'))).toBe('400 label: give a label or a version, not both');
    expect(errorOf(await fetchPrompt('nothing'))).toBe('404 prompt nothing was not found');
    expect((await fetchPrompt('greet', '?colour=red')).status).toBe(400);
    // The refused moves changed nothing.
    expect((await fetchPrompt('greet')).body.version).toBe(1);
  });

  it('splits a label by weight, each sticky key always given one version, and keeps every move with who made it', async () => {
    const moved = await label('greet', 'production', {
      split: [
        { version: 1, weight: 90 },
        { version: 3, weight: 10 },
      ],
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const seen = new Map<number, number>();
    for (let user = 0; user < 200; user++) {
      const first = await fetchPrompt('greet', `?stickyKey=user-${user}`);
      expect(first.body.split).toEqual([
        { version: 1, weight: 90 },
        { version: 3, weight: 10 },
      ]);
      seen.set(first.body.version, (seen.get(first.body.version) ?? 0) + 1);
      if (user < 20) expect((await fetchPrompt('greet', `?stickyKey=user-${user}`)).body.version).toBe(first.body.version);
    }
    expect([...seen.keys()].sort()).toEqual([1, 3]);
    // Without a key: the version with the largest share.
    expect((await fetchPrompt('greet')).body.version).toBe(1);
    const history = await call<{ moves: PromptLabelMove[] }>('GET', '/api/prompts/greet/labels/production/history', keys.read);
    expect(history.body.moves.map((m) => [m.from, m.to, m.by])).toEqual([
      [
        [{ version: 1, weight: 100 }],
        [
          { version: 1, weight: 90 },
          { version: 3, weight: 10 },
        ],
        adminId,
      ],
      [[{ version: 3, weight: 100 }], [{ version: 1, weight: 100 }], adminId],
      [null, [{ version: 3, weight: 100 }], adminId],
    ]);
    const audit = await call<{ entries: { action: string; target: string; keyId: string }[] }>('GET', '/api/audit', keys.admin);
    const moves = audit.body.entries.filter((e) => e.action === 'PUT /api/prompts/:name/labels/:label');
    expect(moves.map((e) => [e.target, e.keyId])).toContainEqual(['greet/production', adminId]);
  });

  it('lets read keys read and only admin keys write, and shows another project nothing', async () => {
    expect((await create({ name: 'greet', prompt: 'x' }, keys.read)).status).toBe(403);
    expect((await create({ name: 'greet', prompt: 'x' }, keys.ingest)).status).toBe(403);
    expect((await label('greet', 'production', { version: 2 }, keys.read)).status).toBe(403);
    expect((await call('DELETE', '/api/prompts/greet', keys.read)).status).toBe(403);
    expect((await fetchPrompt('greet', '', keys.ingest)).status).toBe(403);
    expect(errorOf(await fetchPrompt('greet', '', keys.otherAdmin))).toBe('404 prompt greet was not found');
    expect((await call('GET', '/api/prompts', keys.otherAdmin)).body).toEqual({ prompts: [] });
    expect((await label('greet', 'production', { version: 1 }, keys.otherAdmin)).status).toBe(404);
    // Its own prompt of the same name starts at 1.
    expect((await create({ name: 'greet', prompt: 'other {{x}}' }, keys.otherAdmin)).body.version).toBe(1);
    expect((await fetchPrompt('greet')).body.version).toBe(1);
    expect((await call<{ versions: unknown[] }>('GET', '/api/prompts/greet/versions', keys.read)).body.versions).toHaveLength(3);
  });

  it('fills a fetched prompt with the variables asked with, naming any it does not have or lacks (400)', async () => {
    const vars = (v: object) => `?version=1&variables=${encodeURIComponent(JSON.stringify(v))}`;
    expect((await fetchPrompt('greet', vars({ name: 'Ada', topic: 'tea' }))).body).toMatchObject({ version: 1, compiled: 'Hello Ada, about tea' });
    expect((await fetchPrompt('greet', '?version=1')).body.compiled).toBeNull();
    expect(errorOf(await fetchPrompt('greet', vars({ name: 'Ada', topic: 'tea', colour: 'red' })))).toBe("400 variables: the prompt has no variable 'colour'");
    expect(errorOf(await fetchPrompt('greet', vars({ name: 'Ada' })))).toBe("400 variables: no value given for 'topic'");
    expect(errorOf(await fetchPrompt('greet', vars({ name: 'Ada', topic: ['a'] })))).toBe('400 variables.topic: a string, number or boolean');
    expect(errorOf(await fetchPrompt('greet', '?variables=name%3DAda'))).toBe('400 variables: a JSON object of the variables ({"name":"Ada"})');
  });

  it('numbers versions sent at once one after another, none twice', async () => {
    const sent = await Promise.all(Array.from({ length: 8 }, (_, i) => create({ name: 'busy', prompt: `draft ${i}` })));
    expect(sent.map((a) => a.status)).toEqual(Array(8).fill(201));
    expect(sent.map((a) => a.body.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const versions = await call<{ versions: PromptVersion[] }>('GET', '/api/prompts/busy/versions', keys.read);
    expect(new Set(versions.body.versions.map((v) => v.prompt)).size).toBe(8);
    expect((await call('DELETE', '/api/prompts/busy', keys.admin)).status).toBe(204);
  });

  it('deletes a prompt (admin): gone from reads, its name used again from version 1', async () => {
    await create({ name: 'doomed', prompt: 'a', labels: ['production'] });
    await create({ name: 'doomed', prompt: 'b' });
    expect((await call('DELETE', '/api/prompts/doomed', keys.admin)).status).toBe(204);
    expect(errorOf(await fetchPrompt('doomed'))).toBe('404 prompt doomed was not found');
    expect((await call<{ prompts: PromptSummary[] }>('GET', '/api/prompts', keys.read)).body.prompts.map((p) => p.name)).toEqual(['greet']);
    const again = await create({ name: 'doomed', prompt: 'c' });
    expect(again.body).toMatchObject({ version: 1, labels: [] });
    expect((await fetchPrompt('doomed')).body).toMatchObject({ version: 1, prompt: 'c', label: null });
    expect(errorOf(await call('DELETE', '/api/prompts/never', keys.admin))).toBe('404 prompt never was not found');
  });
});
