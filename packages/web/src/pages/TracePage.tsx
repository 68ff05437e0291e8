export function TracePage({ traceId }: { traceId: string; search: URLSearchParams }) {
  return <h1>Trace {traceId}</h1>;
}
