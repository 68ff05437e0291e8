import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type KeyInfo, checkProjectName, infoOf, isRole, newKey } from '../auth/keys.js';
import { ClickHouseStore } from '../store/clickhouse/clickhouse-store.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import type { Store } from '../store/store.js';
import { callApi, serverUrl } from './api-client.js';

/**
 * `spoor keys create|list|revoke`. With `--url` it goes through a running server's API (with an
 * admin key in `SPOOR_API_KEY` once keys exist); otherwise it opens the data directory's store
 * itself, which is how the first key of a server started with `--auth required` is made, and how
 * an admin who lost every admin key gets back in (with the server stopped). When the server holds
 * the store, the API of the one on this machine is used instead. With `--clickhouse-url` (or
 * `SPOOR_STORE=clickhouse` and `SPOOR_CLICKHOUSE_URL`) it opens the ClickHouse store servers share.
 */
export async function keysCommand(args: string[], out: (text: string) => void, note: (text: string) => void): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      url: { type: 'string' },
      data: { type: 'string' },
      'clickhouse-url': { type: 'string' },
      project: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
    },
    allowPositionals: sub === 'revoke',
    strict: true,
  });
  if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') {
    throw new Error(
      `unknown keys command '${sub ?? ''}': use 'spoor keys create --project NAME --role ingest|read|admin', 'spoor keys list' or 'spoor keys revoke ID'`,
    );
  }
  if (sub === 'create') {
    if (!isRole(values.role)) throw new Error('--role must be ingest, read or admin');
    if (values.project === undefined)
      throw new Error("--project is required: the project the key reads or writes ('*' for every project, read and admin keys only)");
    checkProjectName(values.project, values.role);
  }
  if (sub === 'revoke' && positionals.length === 0) throw new Error('name the key to revoke: spoor keys revoke ID (ids are in spoor keys list)');
  // Servers on ClickHouse keep their keys there: `--clickhouse-url`, or the variables they run with.
  const clickhouseUrl = values['clickhouse-url'] ?? (process.env.SPOOR_STORE === 'clickhouse' ? process.env.SPOOR_CLICKHOUSE_URL : undefined);
  const target =
    values.url === undefined && clickhouseUrl !== undefined
      ? storeTarget(await ClickHouseStore.open({ url: clickhouseUrl }))
      : await targetOf(values.url, values.data, note);
  try {
    if (sub === 'create' && isRole(values.role) && values.project !== undefined) {
      const created = await target.create(values.project, values.role, values.name ?? '');
      out(
        `Created ${created.role} key ${created.id} for project ${created.projectId}. It is shown this once (Spoor keeps only its hash):\n\n` +
          `${created.key}\n\n` +
          (created.role === 'ingest'
            ? 'Apps send it as OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20KEY, or SPOOR_API_KEY=KEY with @spoor/sdk.\n'
            : 'Send it as Authorization: Bearer KEY, or sign in to the dashboard with it.\n'),
      );
      return 0;
    }
    if (sub === 'list') {
      const keys = await target.list();
      if (keys.length === 0) out('No keys: this Spoor requires none (unless started with --auth required).\n');
      for (const key of keys) {
        const state = key.revokedUs === null ? 'active' : `revoked ${new Date(key.revokedUs / 1000).toISOString()}`;
        out(
          `${key.id}  ${key.role.padEnd(6)}  ${key.projectId.padEnd(16)}  ${state.padEnd(32)}  created ${new Date(key.createdUs / 1000).toISOString()} by ${key.createdBy}${key.name === '' ? '' : `  "${key.name}"`}\n`,
        );
      }
      return 0;
    }
    for (const id of positionals) {
      await target.revoke(id);
      out(`Revoked key ${id}: it stops working within a second.\n`);
    }
    return 0;
  } finally {
    await target.close();
  }
}

interface KeyTarget {
  create(projectId: string, role: 'ingest' | 'read' | 'admin', name: string): Promise<KeyInfo & { key: string }>;
  list(): Promise<KeyInfo[]>;
  revoke(id: string): Promise<void>;
  close(): Promise<void>;
}

async function targetOf(url: string | undefined, data: string | undefined, note: (text: string) => void): Promise<KeyTarget> {
  if (url !== undefined) return apiTarget(serverUrl(url));
  const dataDir = resolve(data ?? process.env.SPOOR_DATA ?? '.spoor');
  await mkdir(dataDir, { recursive: true });
  let store: DuckDbStore;
  try {
    store = await DuckDbStore.open({ path: join(dataDir, 'spoor.duckdb') });
  } catch (error) {
    if (!/lock/i.test((error as Error).message)) throw error;
    // A running server holds the file: ask it instead.
    const running = serverUrl(undefined);
    note(`A Spoor server holds ${dataDir}; asking it through ${running} instead.\n`);
    return apiTarget(running);
  }
  return storeTarget(store);
}

function apiTarget(url: string): KeyTarget {
  return {
    create: async (project, role, name) => (await callApi(url, 'POST', '/api/keys', { project, role, name })) as KeyInfo & { key: string },
    list: async () => ((await callApi(url, 'GET', '/api/keys')) as { keys: KeyInfo[] }).keys,
    revoke: async (id) => {
      await callApi(url, 'DELETE', `/api/keys/${encodeURIComponent(id)}`);
    },
    close: async () => {},
  };
}

/** Straight into the store, recorded in the audit log as made by `cli`. */
function storeTarget(store: Store): KeyTarget {
  const nowUs = (): number => Date.now() * 1000;
  return {
    create: async (projectId, role, name) => {
      const { key, record } = newKey({ projectId, role, name, createdBy: 'cli', nowUs: nowUs() });
      await store.access.putKey(record);
      await store.access.appendAudit({
        timeUs: nowUs(),
        projectId,
        keyId: 'cli',
        action: 'POST /api/keys',
        target: record.id,
        detail: JSON.stringify({ project: projectId, role, name }),
      });
      return { ...infoOf(record), key };
    },
    list: async () => (await store.access.listKeys()).map(infoOf),
    revoke: async (id) => {
      const record = (await store.access.listKeys()).find((k) => k.id === id);
      if (record === undefined) throw new Error(`no key '${id}' (ids are in spoor keys list)`);
      if (!(await store.access.revokeKey(id, nowUs()))) throw new Error(`key '${id}' was already revoked`);
      await store.access.appendAudit({ timeUs: nowUs(), projectId: record.projectId, keyId: 'cli', action: 'DELETE /api/keys/:id', target: id, detail: null });
    },
    close: () => store.close(),
  };
}
