import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Longest files first, so that two workers finish together rather than one running a long file
 * alone at the end. Vitest orders by the durations it cached from the last run; CI runs a fresh
 * clone, which has none, and vitest then keeps the order it found the files in: the ClickHouse
 * contract runner (16 lines, about 100 s) could start last. Without durations, this orders by
 * what a file is: the store contract runners (each runs every contract suite), then the files
 * that start servers, engines or browsers (`*.int.test.ts`, larger first), then unit tests (all
 * 168 of them about 24 s together, filling the end).
 */
export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const cached = files.every((spec) => this.ctx.cache.getFileTestResults(`${spec.project.name}:${relative(root, spec.moduleId)}`) !== undefined);
    if (cached) return super.sort(files);
    const weight = new Map(files.map((spec) => [spec, weightOf(relative(root, spec.moduleId), spec.moduleId)]));
    return [...files].sort(
      (a, b) =>
        a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder ||
        (a.project.name < b.project.name ? -1 : a.project.name > b.project.name ? 1 : 0) ||
        weight.get(b)! - weight.get(a)!,
    );
  }
}

/** A file's expected length, by kind first and size second (bytes stay under 10^7). */
function weightOf(path: string, file: string): number {
  const kind = /\/test\/contract\/[^/]+\.int\.test\.ts$/.test(path) ? 2 : path.endsWith('.int.test.ts') ? 1 : 0;
  return kind * 1e7 + statSync(file).size;
}
