import { ApiError } from '../api';

/** Shows why a request failed: the API's code and message, or the network's. */
export function ErrorBox({ error }: { error: Error | undefined }) {
  if (error === undefined) return null;
  const code = error instanceof ApiError ? `${error.code} (${error.status})` : error.name;
  return (
    <div className="error-box" role="alert">
      <strong>{code}</strong>: {error.message}
    </div>
  );
}
