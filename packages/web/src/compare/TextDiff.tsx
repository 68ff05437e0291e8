import type { TextDiffLine } from '@spoor/model';

/** Text compared line by line: kept lines plain, removed ones `-` and added ones `+`, each coloured too. */
export function TextDiff({ title, lines }: { title: string; lines: readonly TextDiffLine[] }) {
  return (
    <pre className="text-diff" aria-label={`${title} diff`}>
      {lines.map((line, i) => (
        <div key={i} className={line.op === '+' ? 'diff-add' : line.op === '-' ? 'diff-del' : undefined}>
          {line.op === '=' ? ' ' : line.op} {line.text}
        </div>
      ))}
    </pre>
  );
}
