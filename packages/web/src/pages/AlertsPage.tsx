export function AlertsPage({ search }: { search: URLSearchParams }) {
  return <h1>AlertsPage {search.toString()}</h1>;
}
