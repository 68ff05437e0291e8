import { formatTickCost, formatTickDuration, formatTickNumber, formatTickPercent } from '../charts/axis-format';
import { formatCost, formatCount, formatDuration, formatPercent } from '../format';
import { formatSignificant } from '../metrics/value-format';
import type { Unit } from './document';

/** A panel's unit as its values, axis ticks and changes are written. Pure; tested in units.test.ts. */
export interface UnitFormat {
  value: (n: number) => string;
  tick: (n: number, step: number) => string;
  /** Sums of its values mean something (a cost, a count), so a panel may show a total. */
  additive: boolean;
}

const FORMATS: Record<Unit, UnitFormat> = {
  usd: { value: formatCost, tick: formatTickCost, additive: true },
  ms: { value: formatDuration, tick: formatTickDuration, additive: false },
  percent: { value: formatPercent, tick: formatTickPercent, additive: false },
  tokens: { value: (n) => `${formatCount(n)} tokens`, tick: formatTickNumber, additive: true },
  count: { value: formatSignificant, tick: formatTickNumber, additive: true },
  '': { value: formatSignificant, tick: formatTickNumber, additive: false },
};

export function unitFormat(unit: Unit | undefined): UnitFormat {
  return FORMATS[unit ?? ''] ?? FORMATS[''];
}
