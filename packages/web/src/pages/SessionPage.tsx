export function SessionPage({ sessionId }: { sessionId: string; search: URLSearchParams }) {
  return <h1>Session {sessionId}</h1>;
}
