export function LogsPage({ search }: { search: URLSearchParams }) {
  return <h1>LogsPage {search.toString()}</h1>;
}
