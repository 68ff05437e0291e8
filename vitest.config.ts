import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './scripts/test-sequencer.js';

/** Files that drive Chromium: the dashboard's, each with a `spoor serve` of its own, and the harness's. */
const BROWSER_FILES = ['packages/web/test/**/*.e2e.int.test.ts', 'packages/web/test/browser-harness.int.test.ts'];

export default defineConfig({
  resolve: {
    // Tests run against the sources; the built dist is only used by tests that spawn the CLI.
    alias: { '@spoor/model': fileURLToPath(new URL('./packages/model/src/index.ts', import.meta.url)) },
  },
  test: {
    // Limits for a hung test, not speed checks: doubled with the two workers below, each test having
    // about half the machine it had alone (cli.int's seven-process test: 7.6 s alone on CI, past
    // 30 s beside a second worker at a load of 11).
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Every answer a test receives is checked against its route's declared schema (api/answer-check.ts);
    // servers a test spawns as processes inherit it.
    env: { SPOOR_CHECK_ANSWERS: '1' },
    reporters: ['default', './scripts/summary-reporter.ts'],
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          exclude: BROWSER_FILES,
          // Two files at a time: vitest's default on 2 cores is one (cores - 1), and CI's suite
          // took 19 min that way; a file mostly waits on servers, engines and child processes.
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: BROWSER_FILES,
          // After the others, one at a time: a browser file already runs Chromium, a server and
          // the test on the machine's cores, and its waits are timed for that.
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
