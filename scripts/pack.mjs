// Packs @spoor/model, @spoor/sdk and @spoor/server from their builds into release/, one .tgz each,
// that install anywhere with `npm i ./release/*.tgz`: no workspace, no build step.
//
// Each package is staged in a directory of its own under the system's temporary directory (the
// checkout is not changed) with a manifest made for the registry: the packages name each other by
// the exact versions packed here, and development fields are left out. The server carries the
// dashboard's build in `web/` (api/web-ui.ts looks there first), so `spoor serve` shows the UI with
// no second package: its optional peer @spoor/web is dropped. It carries the docs too (`docs/`, and
// the project README as its own, which docs/site.ts serves as /docs/start). Run after `npm run build` (`npm run
// pack` does both). `node scripts/pack.mjs DIR` writes to DIR instead, which must be empty or not
// exist yet. Prints the tarballs' paths, one a line.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const release = process.argv[2] === undefined ? join(root, 'release') : resolve(process.argv[2]);

/** What each package needs built before it is packed. */
const PACKAGES = [
  { dir: 'model', built: ['dist/index.js', 'dist/cjs/index.js', 'dist/cjs/package.json'] },
  { dir: 'sdk', built: ['dist/index.js', 'dist/cjs/index.js', 'dist/cjs/package.json'] },
  { dir: 'server', built: ['dist/cli/main.js', '../web/dist/index.html'] },
];

/** The manifest fields a tarball keeps; the rest (devDependencies, scripts, private) is for the workspace. */
const KEPT = ['name', 'version', 'description', 'license', 'type', 'main', 'types', 'bin', 'exports', 'files', 'sideEffects', 'engines'];
const KEPT_DEPS = ['dependencies', 'peerDependencies', 'peerDependenciesMeta'];

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const rootManifest = readJson(join(root, 'package.json'));
const manifests = new Map(PACKAGES.map(({ dir }) => [dir, readJson(join(root, 'packages', dir, 'package.json'))]));
const packed = new Map([...manifests.values()].map((m) => [m.name, m.version]));

for (const { dir, built } of PACKAGES) {
  const missing = built.filter((file) => !existsSync(join(root, 'packages', dir, file)));
  if (missing.length > 0) throw new Error(`packages/${dir} is not built (no ${missing.join(', ')}): run 'npm run build' first, or 'npm run pack'`);
}

/** `deps` with each of our packages at the exact version packed; one not packed here is an error. */
function pinned(name, deps) {
  if (deps === undefined) return undefined;
  const out = {};
  for (const [dep, range] of Object.entries(deps)) {
    if (dep.startsWith('@spoor/') && !packed.has(dep)) throw new Error(`${name} depends on ${dep}, which is not packed`);
    out[dep] = packed.get(dep) ?? range;
  }
  return out;
}

function stagedManifest(manifest, withWebUi) {
  const out = {};
  for (const key of [...KEPT, ...KEPT_DEPS]) if (manifest[key] !== undefined) out[key] = manifest[key];
  out.engines ??= rootManifest.engines;
  out.dependencies = pinned(manifest.name, manifest.dependencies);
  if (withWebUi) {
    const { '@spoor/web': _peer, ...peers } = manifest.peerDependencies ?? {};
    const { '@spoor/web': _meta, ...meta } = manifest.peerDependenciesMeta ?? {};
    out.peerDependencies = Object.keys(peers).length > 0 ? peers : undefined;
    out.peerDependenciesMeta = Object.keys(meta).length > 0 ? meta : undefined;
    out.files = [...out.files.filter((f) => !f.startsWith('!')), 'web', 'docs', ...out.files.filter((f) => f.startsWith('!')), '!web/**/*.map'];
  }
  out.peerDependencies = pinned(manifest.name, out.peerDependencies);
  return out;
}

if (process.argv[2] === undefined) rmSync(release, { recursive: true, force: true });
else if (existsSync(release) && readdirSync(release).length > 0) throw new Error(`${release} is not empty: pack into an empty directory`);
mkdirSync(release, { recursive: true });
const staging = mkdtempSync(join(tmpdir(), 'spoor-pack-'));
try {
  for (const { dir } of PACKAGES) {
    const source = join(root, 'packages', dir);
    const manifest = manifests.get(dir);
    const stage = join(staging, dir);
    mkdirSync(stage);
    // Whole entries of `files`; npm applies its `!` patterns when it packs.
    for (const entry of manifest.files.filter((f) => !f.startsWith('!'))) {
      if (existsSync(join(source, entry))) cpSync(join(source, entry), join(stage, entry), { recursive: true });
    }
    const withWebUi = dir === 'server';
    if (withWebUi) {
      cpSync(join(root, 'packages', 'web', 'dist'), join(stage, 'web'), { recursive: true });
      cpSync(join(root, 'docs'), join(stage, 'docs'), { recursive: true });
      cpSync(join(root, 'README.md'), join(stage, 'README.md'));
    }
    writeFileSync(join(stage, 'package.json'), JSON.stringify(stagedManifest(manifest, withWebUi), null, 2) + '\n');
    execFileSync('npm', ['pack', stage, '--pack-destination', release, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
} finally {
  rmSync(staging, { recursive: true, force: true });
}
for (const file of readdirSync(release).sort()) process.stdout.write(join(release, file) + '\n');
