import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Kind, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { describe, expect, it } from 'vitest';

/** Every answer schema loads (no import cycle reads a schema before it is made) and compiles. */
describe('the answer schemas', () => {
  const folders = ['./', './model/'];
  for (const folder of folders) {
    const files = readdirSync(fileURLToPath(new URL(folder, import.meta.url))).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    it.each(files)(`${folder}%s loads and each of its schemas compiles`, async (file) => {
      const module = (await import(`${folder}${file.replace(/\.ts$/, '.js')}`)) as Record<string, unknown>;
      const schemas = Object.entries(module).filter(
        (entry): entry is [string, TSchema] => typeof entry[1] === 'object' && entry[1] !== null && Kind in entry[1],
      );
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
  }
});
