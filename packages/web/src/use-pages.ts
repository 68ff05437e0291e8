import { useEffect, useRef, useState } from 'react';
import { apiGet, apiUrl, type Params } from './api';
import { useApi } from './use-api';
import { mergePages } from './merge-pages';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PagesState<T, P = unknown> {
  /** The first page as answered (what it says beside its items), `undefined` until it answers. */
  first: P | undefined;
  /** The first page (asked again on reload or poll), then every page "load more" added. */
  items: T[];
  /** Whether the first page has answered at least once for these parameters. */
  loaded: boolean;
  loading: boolean;
  loadingMore: boolean;
  error: Error | undefined;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
}

interface More<T> {
  url: string | null;
  items: T[];
  nextCursor: string | null;
  loading: boolean;
  error: Error | undefined;
}

/**
 * A cursor-paged list: `GET path?params` for the first page (polled with `refreshMs`), and
 * `loadMore` for the next one with the last `nextCursor`. `params === null` waits. Changing the
 * parameters starts over.
 */
export function usePages<P, T>(
  path: string,
  params: Params | null,
  pick: (page: P) => Page<T>,
  keyOf: (item: T) => string,
  options: { refreshMs?: number | null } = {},
): PagesState<T, P> {
  const url = params === null ? null : apiUrl(path, params);
  const first = useApi<P>(url, options);
  const [more, setMore] = useState<More<T>>({ url: null, items: [], nextCursor: null, loading: false, error: undefined });
  const currentUrl = useRef(url);
  useEffect(() => {
    currentUrl.current = url;
  }, [url]);

  const firstPage = first.data === undefined ? null : pick(first.data);
  // Pages loaded for other parameters do not count.
  const loadedMore = more.url === url ? more : null;
  const loadedItems = loadedMore?.items ?? [];
  const cursor = loadedMore !== null && loadedMore.items.length > 0 ? loadedMore.nextCursor : (firstPage?.nextCursor ?? null);
  const items = mergePages(firstPage?.items ?? [], loadedItems, keyOf);

  const loadMore = () => {
    if (cursor === null || params === null || loadedMore?.loading === true) return;
    // What is on screen now stays: a later refresh of the first page must not open a gap.
    const shown = items;
    setMore({ url, items: loadedItems, nextCursor: cursor, loading: true, error: undefined });
    apiGet<P>(apiUrl(path, { ...params, cursor })).then(
      (data) => {
        if (currentUrl.current !== url) return;
        const page = pick(data);
        setMore({ url, items: mergePages(shown, page.items, keyOf), nextCursor: page.nextCursor, loading: false, error: undefined });
      },
      (error: Error) => {
        if (currentUrl.current !== url) return;
        setMore((m) => ({ ...m, loading: false, error }));
      },
    );
  };

  return {
    first: first.data,
    items,
    loaded: firstPage !== null,
    loading: first.loading,
    loadingMore: loadedMore?.loading ?? false,
    error: first.error ?? loadedMore?.error,
    hasMore: cursor !== null,
    loadMore,
    reload: first.reload,
  };
}
