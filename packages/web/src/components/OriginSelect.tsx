import { SPOOR_SERVICE_NAME } from '@spoor/model';

/**
 * Whose traces a list shows, kept in the URL's `origin` parameter as the API names it: the app's
 * (the default, left out of the URL), Spoor's own (its LLM judges', experiments' and replays'
 * calls, which cost money too), or both. A field of its form: changing it submits the form.
 */
export function OriginSelect({ value, service }: { value: string | null; service: string | null }) {
  // The API reads Spoor's own service as asking for Spoor's own traces: the picker says so.
  const shown = value ?? (service === SPOOR_SERVICE_NAME ? 'spoor' : '');
  return (
    <label title="Spoor's own traces are the calls it makes itself: LLM judges, experiments and replays">
      Traces
      <select name="origin" defaultValue={shown} onChange={(e) => e.currentTarget.form?.requestSubmit()}>
        <option value="">The app's</option>
        <option value="spoor">Spoor's own</option>
        <option value="all">Both</option>
      </select>
    </label>
  );
}
