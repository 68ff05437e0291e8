import type { ReactNode } from 'react';

/** The symbol goes with the colour so a status reads without telling red from green. */
const SYMBOLS = { error: '✕', ok: '✓', warn: '▲', info: '●', critical: '◆', muted: '○' } as const;

export type StatusKind = keyof typeof SYMBOLS;

export function Status({ kind, children }: { kind: StatusKind; children?: ReactNode }) {
  return (
    <span className={`status status-${kind}`}>
      <span aria-hidden="true">{SYMBOLS[kind]}</span>
      {children ?? kind}
    </span>
  );
}
