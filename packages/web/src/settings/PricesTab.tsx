import { useId, useState, type FormEvent } from 'react';
import type { PriceListResponse, UnpricedModelListResponse } from '@spoor/model';
import { apiSend } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { useApi } from '../use-api';

const EMPTY = { model: '', provider: '', input: '', output: '' };

/** The prices in force (Spoor's, the --prices file's, those set here), the models seen without one, and a price set or removed. */
export function PricesTab() {
  const id = useId();
  const prices = useApi<PriceListResponse>('/api/prices');
  const unpriced = useApi<UnpricedModelListResponse>('/api/prices/unpriced');
  const [form, setForm] = useState(EMPTY);
  const [actionError, setActionError] = useState<Error | undefined>(undefined);
  const [filter, setFilter] = useState('');
  const changed = () => {
    prices.reload();
    unpriced.reload();
  };
  const set = (name: keyof typeof EMPTY) => (event: { target: { value: string } }) => setForm((f) => ({ ...f, [name]: event.target.value }));
  const save = (event: FormEvent) => {
    event.preventDefault();
    setActionError(undefined);
    const body = { provider: form.provider.trim(), input: Number(form.input), output: Number(form.output) };
    apiSend('PUT', `/api/prices/${encodeURIComponent(form.model.trim())}`, body).then(
      () => {
        setForm(EMPTY);
        changed();
      },
      (e: Error) => setActionError(e),
    );
  };
  const remove = (model: string) => {
    setActionError(undefined);
    apiSend('DELETE', `/api/prices/${encodeURIComponent(model)}`).then(changed, (e: Error) => setActionError(e));
  };
  const field = (name: string) => `${id}-${name}`;
  const models = (prices.data?.models ?? []).filter((m) => filter === '' || m.model.includes(filter.toLowerCase()));
  return (
    <section aria-label="Prices">
      <p className="muted">
        USD per million tokens. A price set here is this project&apos;s and wins over the <code>--prices</code> file&apos;s and Spoor&apos;s own; spans are
        priced as they arrive (re-price older ones with <code>POST /api/prices/reprice</code>).
      </p>
      {unpriced.data !== undefined && unpriced.data.models.length > 0 && (
        <div className="panel">
          <strong>Models seen without a price</strong> (their calls cost nothing in every sum):{' '}
          {unpriced.data.models.map((m) => (
            <button key={m.model} type="button" className="linklike" onClick={() => setForm({ ...EMPTY, model: m.model, provider: m.provider ?? '' })}>
              {m.model}
            </button>
          ))}
        </div>
      )}
      <form className="panel settings-form" onSubmit={save} aria-label="Set a price">
        <label htmlFor={field('model')}>Model</label>
        <input id={field('model')} value={form.model} onChange={set('model')} placeholder="gpt-4o-mini" required />
        <label htmlFor={field('provider')}>Provider</label>
        <input id={field('provider')} value={form.provider} onChange={set('provider')} placeholder="openai" required />
        <label htmlFor={field('input')}>Input</label>
        <input id={field('input')} value={form.input} onChange={set('input')} inputMode="decimal" className="short" placeholder="0.15" required />
        <label htmlFor={field('output')}>Output</label>
        <input id={field('output')} value={form.output} onChange={set('output')} inputMode="decimal" className="short" placeholder="0.6" required />
        <div />
        <div className="form-actions">
          <button type="submit" className="primary">
            Set price
          </button>
        </div>
      </form>
      <ErrorBox error={actionError ?? prices.error} />
      <div className="toolbar">
        <input aria-label="Find a model" placeholder="Find a model" value={filter} onChange={(e) => setFilter(e.target.value)} />
        {prices.data !== undefined && <span className="muted">prices as of {prices.data.asOf}</span>}
      </div>
      {prices.data !== undefined && (
        <table className="settings-table">
          <thead>
            <tr>
              <th>Model</th>
              <th>Provider</th>
              <th>Input</th>
              <th>Output</th>
              <th>Cache read</th>
              <th>From</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {models.map((m) => (
              <tr key={m.model}>
                <td className="mono">{m.model}</td>
                <td>{m.provider}</td>
                <td>{m.input}</td>
                <td>{m.output}</td>
                <td>{m.cacheRead ?? '–'}</td>
                <td>{m.origin}</td>
                <td>
                  {m.origin === 'api' && (
                    <button type="button" onClick={() => remove(m.model)}>
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
