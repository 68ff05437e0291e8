import type { ScoreConfig } from '@spoor/model';
import { type Picks, keyHelp, shown } from './rubric';

/**
 * The rubric as inputs, one entry focused at a time (keys 1-9 pick its values): a number in its
 * range, one of the labels, or yes / no.
 */
export function RubricForm({
  rubric,
  picks,
  focused,
  onPick,
  onFocus,
}: {
  rubric: readonly ScoreConfig[];
  picks: Picks;
  focused: number;
  onPick: (name: string, value: number | string | boolean | undefined) => void;
  onFocus: (index: number) => void;
}) {
  return (
    <div className="rubric">
      {rubric.map((config, i) => (
        <fieldset
          key={config.name}
          className={i === focused ? 'rubric-entry focused' : 'rubric-entry'}
          data-entry={config.name}
          aria-current={i === focused ? 'true' : undefined}
          onFocus={() => onFocus(i)}
          onClick={() => onFocus(i)}
        >
          <legend>
            {config.name} <span className="muted">({config.type === 'numeric' ? `${config.min} to ${config.max}` : config.type})</span>
          </legend>
          {config.description !== '' && <p className="muted">{config.description}</p>}
          {config.type === 'numeric' ? (
            <input
              type="number"
              aria-label={config.name}
              min={config.min}
              max={config.max}
              step="any"
              value={picks[config.name] === undefined ? '' : String(picks[config.name])}
              onChange={(e) => onPick(config.name, e.target.value === '' ? undefined : Number(e.target.value))}
            />
          ) : (
            <div className="rubric-choices" role="radiogroup" aria-label={config.name}>
              {(config.type === 'categorical' ? config.labels : [true, false]).map((v) => (
                <label key={String(v)}>
                  <input type="radio" name={`rubric-${config.name}`} checked={picks[config.name] === v} onChange={() => onPick(config.name, v)} />
                  {shown(v)}
                </label>
              ))}
            </div>
          )}
          <p className="rubric-keys muted">{keyHelp(config)}</p>
        </fieldset>
      ))}
    </div>
  );
}
