export function MetricsPage({ search }: { search: URLSearchParams }) {
  return <h1>MetricsPage {search.toString()}</h1>;
}
