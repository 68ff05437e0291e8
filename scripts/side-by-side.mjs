// Runs commands side by side and fails if any fails: `npm test` runs lint, the typecheck and the
// system tools' install this way (74 s one after the other on CI's two cores, 56 s together, and
// an install that waits on the network costs none of that time). Each command's output is
// printed whole once it ends, under its name, so two never interleave; the last line names
// every command that failed.
import { spawn } from 'node:child_process';

const commands = process.argv.slice(2);
if (commands.length === 0) {
  console.error('usage: node scripts/side-by-side.mjs "COMMAND" ["COMMAND" ...]');
  process.exit(2);
}

function run(command) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('error', (error) => output.push(Buffer.from(`${error.message}\n`)));
    child.on('close', (code, signal) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stdout.write(`\n> ${command} (${code === 0 ? 'passed' : `failed: ${signal ?? `exit ${code}`}`}, ${seconds} s)\n`);
      process.stdout.write(Buffer.concat(output));
      resolve(code === 0);
    });
  });
}

const passed = await Promise.all(commands.map(run));
const failed = commands.filter((_, i) => !passed[i]);
if (failed.length > 0) {
  console.error(`\nfailed:\n${failed.map((command) => `  ${command}`).join('\n')}`);
  process.exit(1);
}
