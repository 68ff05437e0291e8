import { useSyncExternalStore } from 'react';

/**
 * A history-API router small enough to read in one sitting: the URL is the state of every page
 * (filters, selected span, time range), so a view can be shared by copying the address.
 */

const CHANGE = 'spoor:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

const href = (): string => window.location.pathname + window.location.search;

export interface Location {
  pathname: string;
  search: URLSearchParams;
}

let cachedHref = '';
let cachedLocation: Location = { pathname: '/', search: new URLSearchParams() };

function snapshot(): Location {
  const current = href();
  if (current !== cachedHref) {
    cachedHref = current;
    cachedLocation = { pathname: window.location.pathname, search: new URLSearchParams(window.location.search) };
  }
  return cachedLocation;
}

/** The current location; re-renders the caller when it changes. */
export function useLocation(): Location {
  return useSyncExternalStore(subscribe, snapshot);
}

/** Goes to `to` (a path with an optional query). `replace` keeps the back button for real moves. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === href()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

/** Query parameters; arrays repeat the name, and empty or `null` values are left out. */
export type Params = Record<string, string | number | boolean | null | undefined | readonly string[]>;

/** `path?query` from a path and parameters, leaving out empty values. */
export function pathWith(pathname: string, params: Params = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '') continue;
    if (Array.isArray(value)) for (const item of value as readonly string[]) search.append(key, item);
    else search.set(key, String(value));
  }
  const query = search.toString();
  return query === '' ? pathname : `${pathname}?${query}`;
}

/** Replaces some query parameters of the current URL (a `null` removes one), keeping the others. */
export function setSearch(changes: Record<string, string | null>, options: { replace?: boolean } = { replace: true }): void {
  const search = new URLSearchParams(window.location.search);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === '') search.delete(key);
    else search.set(key, value);
  }
  const query = search.toString();
  navigate(query === '' ? window.location.pathname : `${window.location.pathname}?${query}`, options);
}

export type RouteMatch = { page: string; params: Record<string, string> };

/** Matches `pathname` against patterns like `/traces/:traceId`; the first match wins. */
export function matchRoute(pathname: string, routes: readonly (readonly [string, string])[]): RouteMatch | null {
  const parts = pathname.replace(/\/+$/, '').split('/').slice(1);
  for (const [pattern, page] of routes) {
    const want = pattern.replace(/\/+$/, '').split('/').slice(1);
    if (want.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = want.every((segment, i) => {
      const part = parts[i] ?? '';
      if (segment.startsWith(':')) {
        if (part === '') return false;
        try {
          params[segment.slice(1)] = decodeURIComponent(part);
        } catch {
          // A malformed escape (`%zz`): the page gets the text as typed and says it found nothing.
          params[segment.slice(1)] = part;
        }
        return true;
      }
      return segment === part;
    });
    if (ok) return { page, params };
  }
  return null;
}
