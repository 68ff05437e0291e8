export function ErrorGroupPage({ fingerprint }: { fingerprint: string; search: URLSearchParams }) {
  return <h1>Error group {fingerprint}</h1>;
}
