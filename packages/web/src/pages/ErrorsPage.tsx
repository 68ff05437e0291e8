export function ErrorsPage({ search }: { search: URLSearchParams }) {
  return <h1>ErrorsPage {search.toString()}</h1>;
}
