import type { Worker } from 'node:worker_threads';
import { regexLimits } from '../regex.js';
import { ThreadClient, startWorker } from '../threads/client.js';
import { workerUrl } from '../worker-url.js';
import type { RegexProtocol } from './regex-protocol.js';

/**
 * `regex` evaluators' tests of long texts, run on a thread of their own. RE2 is linear, not cheap:
 * an allowed pattern (`--regex-max-cost`) whose DFA gives up on a hostile text, such as
 * `[ab]*a[ab]{20}[^ab]` on 262,144 random a/b characters, took 403 ms, and the evaluators run on
 * the thread that answers HTTP (`/health` too). Up to `INLINE_CHARS` characters, that worst case
 * is some 25 ms and a text is tested where it is; past it, here. The thread is started on first
 * use, holds no process open (`unref`), and is started again if it fails.
 */

/** The longest text tested on the calling thread: about 25 ms at the worst measured 1.5 µs a character. */
export const INLINE_CHARS = 16_384;

let thread: ThreadClient<RegexProtocol> | null = null;

/** Whether `pattern` matches in the first `maxChars` characters of `text`, tested off this thread. */
export function testOffThread(pattern: string, text: string): Promise<boolean> {
  const { maxChars } = regexLimits();
  return (thread ??= startRegexThread()).calls.test(pattern, text.length > maxChars ? text.slice(0, maxChars) : text);
}

function startRegexThread(): ThreadClient<RegexProtocol> {
  const worker: Worker = startWorker<RegexProtocol>(workerUrl(import.meta.url, 'quality/regex-thread.js', 'regex thread'), regexLimits());
  worker.unref();
  const client: ThreadClient<RegexProtocol> = new ThreadClient<RegexProtocol>(worker, {
    what: 'regex thread',
    events: {},
    unavailable: (failure) => new Error(`the regex thread failed (${failure.message})`),
    // The judgement under way is an evaluator error (retried by hand); the next one starts a new thread.
    onFailed: () => {
      if (thread === client) thread = null;
    },
  });
  return client;
}
