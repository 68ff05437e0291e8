import type { ExperimentTarget } from '@spoor/model';

/** What an experiment ran its items through, in a few words. */
export function targetText(target: ExperimentTarget): string {
  switch (target.kind) {
    case 'llm-call':
      return `${target.provider} ${target.model}`;
    case 'prompt':
      return `prompt ${target.name} v${target.version} · ${target.provider}${target.model === undefined ? '' : ` ${target.model}`}`;
    case 'sdk':
      return `the app (SDK), replay ${target.replay}`;
  }
}
