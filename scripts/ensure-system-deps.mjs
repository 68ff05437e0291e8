// Installs the system tools the tests need, from Debian's packages, when they are missing; fails
// naming the tool when it cannot. `npm test` runs this before vitest so nothing is skipped silently.
import { spawnSync } from 'node:child_process';

/** Tool on PATH -> Debian package that provides it. */
const NEEDED = [
  { tool: 'promtool', pkg: 'prometheus', why: "checks the SDK's and the server's /metrics output; queries Spoor's Prometheus API" },
  { tool: 'prometheus', pkg: 'prometheus', why: "scrapes the server's /metrics in the end-to-end test" },
  { tool: 'chromium', pkg: 'chromium', why: "the web UI's end-to-end tests and the waterfall benchmark" },
];

const has = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
const missing = NEEDED.filter(({ tool }) => !has(tool));
if (missing.length === 0) process.exit(0);

const asRoot = process.getuid?.() === 0 ? [] : has('sudo') ? ['sudo', '-n'] : null;
const apt = (...args) => {
  if (asRoot === null || !has('apt-get')) return false;
  // Wait for another apt (an unattended upgrade, a parallel install) instead of failing at once.
  const [command, ...rest] = [...asRoot, 'apt-get', '-o', 'DPkg::Lock::Timeout=120', ...args];
  return spawnSync(command, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
};
const packages = [...new Set(missing.map(({ pkg }) => pkg))];
console.log(`[ensure-system-deps] installing ${packages.join(', ')} for ${missing.map(({ tool }) => tool).join(', ')}`);
if (!apt('install', '-y', '--no-install-recommends', ...packages)) {
  apt('update');
  apt('install', '-y', '--no-install-recommends', ...packages);
}
const still = missing.filter(({ tool }) => !has(tool));
if (still.length > 0) {
  for (const { tool, pkg, why } of still)
    console.error(`[ensure-system-deps] missing: ${tool} (Debian package ${pkg}; ${why}). Install it with: sudo apt-get install ${pkg}`);
  process.exit(1);
}
