import type { ReactNode } from 'react';

/** The "Load more" row under a cursor-paged list (see `usePages`); `children` say what is shown so far. */
export function LoadMore({ pages, children }: { pages: { hasMore: boolean; loadMore: () => void; loadingMore: boolean }; children?: ReactNode }) {
  if (!pages.hasMore && children === undefined) return null;
  return (
    <div className="load-more">
      {children}
      {pages.hasMore && (
        <button type="button" onClick={pages.loadMore} disabled={pages.loadingMore}>
          {pages.loadingMore ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}
