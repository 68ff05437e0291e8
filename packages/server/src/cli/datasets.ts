import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { DatasetChangeResponse, DatasetItem, DatasetItemsResponse } from '@spoor/model';
import { ApiError, callApi, serverUrl } from './api-client.js';
import { type FileItem, csvHeader, formatFlag, formatOf, itemsCsv, itemsJsonl, parseItems } from './dataset-files.js';

/** Items one page of an export reads (the API's most). */
const PAGE = 1000;

/**
 * `spoor datasets import NAME FILE` and `spoor datasets export NAME`, through a running server's
 * API (`--url`, `SPOOR_API_KEY`). An import checks every line before it sends anything, then
 * sends every item in one request, which the server takes whole or not at all.
 */
export async function datasetsCommand(args: string[], out: (text: string) => void): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { url: { type: 'string' }, format: { type: 'string' }, version: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const url = serverUrl(values.url);
  if (sub === 'import') {
    const [name, file] = positionals;
    if (name === undefined || file === undefined || positionals.length > 2)
      throw new Error('usage: spoor datasets import NAME FILE [--format jsonl|csv] [--url URL]');
    const format = formatOf(file, values.format);
    let items: FileItem[];
    try {
      items = parseItems(await readFile(file, 'utf8'), format);
    } catch (error) {
      throw new Error(`${file} ${(error as Error).message}; nothing was imported`, { cause: error });
    }
    await makeIfMissing(url, name);
    let answer: DatasetChangeResponse;
    try {
      answer = (await callApi(url, 'POST', `/api/datasets/${encodeURIComponent(name)}/items`, { items: items.map((i) => i.item) })) as DatasetChangeResponse;
    } catch (error) {
      // The server names an item by its index; the file's reader wants its line.
      const message = (error as Error).message.replace(/items\[(\d+)\]\./, (_, index: string) => `${file} line ${items[Number(index)]?.line ?? '?'}: `);
      throw new Error(`${message}; nothing was imported`, { cause: error });
    }
    out(`Imported ${answer.itemIds.length} items into ${name}: version ${answer.version}.\n`);
    return 0;
  }
  if (sub === 'export') {
    const [name] = positionals;
    if (name === undefined || positionals.length > 1) throw new Error('usage: spoor datasets export NAME [--version N] [--format jsonl|csv] [--url URL]');
    const format = formatFlag(values.format ?? 'jsonl');
    if (values.version !== undefined && !/^[1-9]\d{0,15}$/.test(values.version)) throw new Error(`--version must be a version number, not '${values.version}'`);
    const items = await allItems(url, name, values.version ?? null);
    if (format === 'jsonl') out(itemsJsonl(items));
    else {
      const keys = [...new Set(items.flatMap((i) => Object.keys(i.metadata)))].sort();
      out(csvHeader(keys) + itemsCsv(items, keys));
    }
    return 0;
  }
  throw new Error(`unknown datasets command '${sub ?? ''}': use 'spoor datasets import NAME FILE' or 'spoor datasets export NAME'`);
}

/** Makes the dataset unless it exists (a 409 says it does). */
async function makeIfMissing(url: string, name: string): Promise<void> {
  try {
    await callApi(url, 'POST', '/api/datasets', { name });
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 409)) throw error;
  }
}

/** Every item of a version, page by page; the pages stay on the version the first one read. */
async function allItems(url: string, name: string, version: string | null): Promise<DatasetItem[]> {
  const items: DatasetItem[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: String(PAGE) });
    if (version !== null) query.set('version', version);
    if (cursor !== null) query.set('cursor', cursor);
    const page = (await callApi(url, 'GET', `/api/datasets/${encodeURIComponent(name)}/items?${query.toString()}`)) as DatasetItemsResponse;
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return items;
}
