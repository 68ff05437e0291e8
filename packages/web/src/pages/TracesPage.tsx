export function TracesPage({ search }: { search: URLSearchParams }) {
  return <h1>TracesPage {search.toString()}</h1>;
}
