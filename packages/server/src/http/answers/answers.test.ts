import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { describe, expect, it } from 'vitest';

/** Every answer schema loads (no import cycle reads a schema before it is made) and compiles. */
describe('the answer schemas', () => {
  // Every file of answers' schemas: the shared ones here, the API's own, and each feature's (`answers.ts`, `answers/`).
  const src = fileURLToPath(new URL('../../', import.meta.url));
  const schemaFiles = (dir: string) =>
    readdirSync(join(src, dir))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => `${dir}/${f}`);
  const files = readdirSync(src, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap(({ name }) => [
      ...(existsSync(join(src, name, 'answers.ts')) ? [`${name}/answers.ts`] : []),
      ...(existsSync(join(src, name, 'answers')) ? schemaFiles(`${name}/answers`) : []),
    ])
    .concat(schemaFiles('http/answers/model'));
  it('are found in the API, in http/ and in the features', () => {
    expect(files).toEqual(expect.arrayContaining(['api/answers/traces.ts', 'http/answers/errors.ts', 'alerting/answers.ts', 'quality/answers/scores.ts']));
  });
  it.each(files)('%s loads and each of its schemas compiles', async (file) => {
    const module = (await import(`../../${file.replace(/\.ts$/, '.js')}`)) as Record<string, unknown>;
    const schemas = Object.entries(module).filter((entry): entry is [string, TSchema] => typeof entry[1] === 'object' && entry[1] !== null && Kind in entry[1]);
    const failing = schemas.filter(([, schema]) => {
      try {
        TypeCompiler.Compile(schema);
        return false;
      } catch {
        return true;
      }
    });
    expect(failing.map(([name]) => name)).toEqual([]);
  });
});
