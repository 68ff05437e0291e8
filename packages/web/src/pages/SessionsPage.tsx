export function SessionsPage({ search }: { search: URLSearchParams }) {
  return <h1>SessionsPage {search.toString()}</h1>;
}
