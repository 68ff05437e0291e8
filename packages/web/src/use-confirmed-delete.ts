import { useState } from 'react';
import { apiSend } from './api';

/**
 * A list's delete, asked once more: `confirming` names the row whose delete awaits a second
 * click, `remove` sends `DELETE pathOf(name)` and calls `onDeleted`; a refusal (a receiver rules
 * still name, a rule of the file) is kept in `error` for the page to show.
 */
export function useConfirmedDelete(pathOf: (name: string) => string, onDeleted: () => void) {
  const [confirming, setConfirming] = useState<string | null>(null);
  const [error, setError] = useState<Error | undefined>(undefined);
  const remove = (name: string) => {
    setError(undefined);
    apiSend<void>('DELETE', pathOf(name)).then(
      () => {
        setConfirming(null);
        onDeleted();
      },
      (e: Error) => {
        setConfirming(null);
        setError(e);
      },
    );
  };
  return { confirming, setConfirming, error, remove };
}
