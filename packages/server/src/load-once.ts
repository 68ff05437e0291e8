/**
 * `load` run on the first call and its promise given to every call after it, so modules loaded
 * on first use (`import()` of what a route or a call needs) are loaded once however many ask at
 * once. A load that failed is run again by the next call.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () => {
    if (loading === null) {
      const started = load();
      loading = started;
      started.catch(() => {
        if (loading === started) loading = null;
      });
    }
    return loading;
  };
}
