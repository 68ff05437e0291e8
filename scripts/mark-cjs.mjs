// Marks each CommonJS build (`dist/cjs/`, from a package's tsconfig.cjs.json) as CommonJS: the
// packages are `"type": "module"`, so without this Node and TypeScript read those `.js` files as ESM.
import { existsSync, writeFileSync } from 'node:fs';

for (const dir of process.argv.slice(2)) {
  if (!existsSync(`${dir}/dist/cjs`)) throw new Error(`${dir}/dist/cjs does not exist: build ${dir}/tsconfig.cjs.json first`);
  writeFileSync(`${dir}/dist/cjs/package.json`, '{ "type": "commonjs" }\n');
}
