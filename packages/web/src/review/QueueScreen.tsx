import type { ItemReview, QueueProgress, ReviewQueue, TakenItem } from '@spoor/model';
import { useCallback, useEffect, useRef, useState } from 'react';
import { apiSend } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { formatInteger, formatTime } from '../format';
import { setSearch } from '../router';
import { useApi } from '../use-api';
import { ProgressTab } from './ProgressTab';
import { ReviewItem } from './ReviewItem';
import { RubricForm } from './RubricForm';
import { OthersReviews } from './OthersReviews';
import { type Picks, correctedOutputOf, scoresOf, valueForKey } from './rubric';

type Queue = ReviewQueue & { progress: QueueProgress };
/** The item held: `undefined` while asked for, `null` when none is left for this reviewer. */
type Held = TakenItem | null | undefined;

const HELP = 'n next · s skip · j / k rubric entry · 1–9 pick · Enter submit (Ctrl+Enter in a text box)';

/** Whether a key goes to text being typed: a radio button picked with the mouse leaves the keys to the screen. */
const isTyping = (target: EventTarget | null): boolean =>
  target instanceof HTMLElement &&
  (target.isContentEditable ||
    ['TEXTAREA', 'SELECT'].includes(target.tagName) ||
    (target instanceof HTMLInputElement && !['radio', 'checkbox', 'button', 'submit'].includes(target.type)));

/**
 * A reviewer's screen for one queue: it takes the next item on opening, shows it with the rubric,
 * and submits or skips it, all by keyboard if wished. The others' reviews appear once this
 * reviewer's is in (the API keeps them back until then). Progress and agreement are a tab away.
 */
export function QueueScreen({ name, search }: { name: string; search: URLSearchParams }) {
  const path = `/api/queues/${encodeURIComponent(name)}`;
  const queue = useApi<Queue>(path);
  const [held, setHeld] = useState<Held>(undefined);
  const [picks, setPicks] = useState<Picks>({});
  const [focused, setFocused] = useState(0);
  const [comment, setComment] = useState('');
  const [corrected, setCorrected] = useState('');
  const [dataset, setDataset] = useState('');
  const [reviews, setReviews] = useState<ItemReview[] | null>(null);
  const [datasetItem, setDatasetItem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const tab = search.get('tab') === 'progress' ? 'progress' : 'review';
  const rubric = queue.data?.rubric ?? [];

  const run = useCallback(async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  }, []);

  const takeNext = useCallback(
    () =>
      run(async () => {
        const taken = await apiSend<TakenItem | undefined>('POST', `${path}/next`);
        setHeld(taken ?? null);
        setPicks({});
        setFocused(0);
        setComment('');
        setCorrected('');
        setReviews(null);
        setDatasetItem(null);
        setSearch({ span: null });
      }),
    [path, run],
  );

  useEffect(() => {
    void takeNext();
  }, [takeNext]);

  const state = { held, picks, comment, corrected, dataset, reviews, busy, focused, rubric };
  const latest = useRef(state);
  latest.current = state;

  const submit = useCallback(() => {
    const s = latest.current;
    if (s.held == null || s.reviews !== null || s.busy) return;
    const itemId = s.held.item.itemId;
    const correctedOutput = correctedOutputOf(s.corrected);
    const body = {
      scores: scoresOf(s.rubric, s.picks),
      ...(s.comment.trim() === '' ? {} : { comment: s.comment }),
      ...(correctedOutput === undefined ? {} : { correctedOutput, ...(s.dataset.trim() === '' ? {} : { dataset: s.dataset.trim() }) }),
    };
    void run(async () => {
      const answer = await apiSend<{ reviews: ItemReview[]; datasetItem: { dataset: string; version: number } | null }>(
        'POST',
        `${path}/items/${encodeURIComponent(itemId)}/submit`,
        body,
      );
      setReviews(answer.reviews);
      setDatasetItem(answer.datasetItem === null ? null : `${answer.datasetItem.dataset} (version ${answer.datasetItem.version})`);
      queue.reload();
    });
  }, [path, run, queue.reload]);

  const skip = useCallback(() => {
    const s = latest.current;
    if (s.held == null || s.reviews !== null || s.busy) return;
    const itemId = s.held.item.itemId;
    void run(async () => {
      await apiSend('POST', `${path}/items/${encodeURIComponent(itemId)}/skip`);
      queue.reload();
    }).then(takeNext);
  }, [path, run, takeNext, queue.reload]);

  const pick = useCallback((entry: string, value: number | string | boolean | undefined) => {
    setPicks((p) => {
      const { [entry]: _, ...rest } = p;
      return value === undefined ? rest : { ...rest, [entry]: value };
    });
  }, []);

  useEffect(() => {
    if (tab !== 'review') return;
    const onKey = (e: KeyboardEvent) => {
      const s = latest.current;
      if (e.defaultPrevented || e.altKey) return;
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        submit();
        return;
      }
      if (e.ctrlKey || e.metaKey || isTyping(e.target)) return;
      if (e.key === 'Enter') {
        // Enter on a button or link is its own click.
        if (e.target instanceof HTMLElement && ['BUTTON', 'A', 'SUMMARY'].includes(e.target.tagName)) return;
        e.preventDefault();
        submit();
      } else if (e.key === 'n') {
        if (s.held == null || s.reviews !== null) void takeNext();
      } else if (e.key === 's') skip();
      else if (e.key === 'j' || e.key === 'k') setFocused((f) => Math.max(0, Math.min(s.rubric.length - 1, f + (e.key === 'j' ? 1 : -1))));
      else if (/^[1-9]$/.test(e.key) && s.held != null && s.reviews === null) {
        const config = s.rubric[s.focused];
        const value = config === undefined ? undefined : valueForKey(config, Number(e.key));
        if (config === undefined || value === undefined) return;
        pick(config.name, value);
        // The next entry is the one a reviewer scores next: a rubric is done with digits alone.
        setFocused((f) => Math.min(s.rubric.length - 1, f + 1));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [tab, submit, skip, takeNext, pick]);

  const q = queue.data;
  return (
    <div className="review-page queue-screen">
      <p className="crumbs">
        <Link to="/review">Review</Link> /
      </p>
      <h1>
        {name}
        {q !== undefined && (
          <span className="muted review-count" data-testid="review-count">
            {' '}
            {formatInteger(q.progress.done)} / {formatInteger(q.progress.items)} done
          </span>
        )}
      </h1>
      {q !== undefined && q.description !== '' && <p className="muted">{q.description}</p>}
      <ErrorBox error={queue.error} />
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'review'} onClick={() => setSearch({ tab: null })}>
          Review
        </button>
        <button type="button" role="tab" aria-selected={tab === 'progress'} onClick={() => setSearch({ tab: 'progress', span: null })}>
          Progress and agreement
        </button>
      </div>
      {tab === 'progress' && q !== undefined && <ProgressTab name={name} progress={q.progress} />}
      {tab === 'review' && (
        <>
          <p className="review-help muted" data-testid="review-help">
            {HELP}
          </p>
          <ErrorBox error={error} />
          {held === undefined && <p className="muted">Taking the next item…</p>}
          {held === null && (
            <div className="empty" data-testid="review-none-left">
              Nothing left for you in this queue.{' '}
              <button type="button" onClick={() => void takeNext()}>
                Look again (n)
              </button>
            </div>
          )}
          {held != null && q !== undefined && (
            <div className="review-layout">
              <aside className="review-panel" aria-label="Rubric">
                <p className="mono review-item-id" data-testid="review-item">
                  {held.item.kind} {held.item.itemId}
                </p>
                <p className="muted">held until {formatTime(held.heldUntil)}</p>
                <RubricForm rubric={q.rubric} picks={picks} focused={focused} onPick={pick} onFocus={setFocused} />
                <label className="review-field">
                  Comment
                  <textarea value={comment} onChange={(e) => setComment(e.target.value)} rows={3} disabled={reviews !== null} />
                </label>
                {held.item.traceId !== null && (
                  <details className="review-correction">
                    <summary>Corrected output, sent to a dataset</summary>
                    <textarea
                      aria-label="Corrected output"
                      value={corrected}
                      onChange={(e) => setCorrected(e.target.value)}
                      rows={4}
                      placeholder="the output as it should have been (JSON or text)"
                      disabled={reviews !== null}
                    />
                    <input
                      aria-label="Dataset"
                      value={dataset}
                      onChange={(e) => setDataset(e.target.value)}
                      placeholder={q.dataset ?? 'a dataset name'}
                      disabled={reviews !== null}
                    />
                  </details>
                )}
                {reviews === null ? (
                  <div className="review-actions">
                    <button type="button" className="primary" onClick={submit} disabled={busy || scoresOf(q.rubric, picks).length === 0}>
                      Submit (Enter)
                    </button>
                    <button type="button" onClick={skip} disabled={busy}>
                      Skip (s)
                    </button>
                  </div>
                ) : (
                  <div className="review-done" data-testid="review-submitted">
                    <p>Submitted.{datasetItem !== null && ` The corrected output is in ${datasetItem}.`}</p>
                    <OthersReviews reviews={reviews} />
                    <button type="button" className="primary" onClick={() => void takeNext()}>
                      Next (n)
                    </button>
                  </div>
                )}
              </aside>
              <div className="review-target">
                <ReviewItem key={held.item.itemId} item={held.item} search={search} />
              </div>
            </div>
          )}
        </>
      )}
    </div>
  );
}
