import type { Worker } from 'node:worker_threads';
import { regexLimits } from '../regex.js';
import { ThreadClient, startWorker } from '../threads/client.js';
import { workerUrl } from '../worker-url.js';
import type { RegexProtocol } from './regex-protocol.js';

/**
 * `regex` evaluators' tests of texts, run on a thread of their own. RE2 is linear, not cheap: an
 * allowed pattern (`--regex-max-cost`) whose DFA runs out of states on a hostile text, such as
 * `[ab]*a[ab]{20}[^ab]` on random a/b characters, took 375 ms on 262,144 of them and up to 220 ms
 * on 16,384 (the DFA's states are built as the text is read), and the evaluators run on the thread
 * that answers HTTP (`/health` too). Only a text of `INLINE_CHARS` or fewer is tested where it is.
 * The thread is started on first use, holds no process open (`unref`), and is started again if it
 * fails.
 */

/** The longest text tested on the calling thread: a reply of a few words, not worth a message to another thread. */
export const INLINE_CHARS = 256;

let thread: ThreadClient<RegexProtocol> | null = null;

/** Whether `pattern` matches in the first `maxChars` characters of `text`, tested off this thread. */
export function testOffThread(pattern: string, text: string): Promise<boolean> {
  const { maxChars } = regexLimits();
  return (thread ??= startRegexThread()).calls.test(pattern, text.length > maxChars ? text.slice(0, maxChars) : text);
}

function startRegexThread(): ThreadClient<RegexProtocol> {
  const worker: Worker = startWorker<RegexProtocol>(workerUrl(import.meta.url, 'quality/regex-thread.js', 'regex thread'), regexLimits());
  const client: ThreadClient<RegexProtocol> = new ThreadClient<RegexProtocol>(worker, {
    what: 'regex thread',
    events: {},
    unavailable: (failure) => new Error(`the regex thread failed (${failure.message})`),
    // The judgement under way is an evaluator error (retried by hand); the next one starts a new thread.
    onFailed: () => {
      if (thread === client) thread = null;
    },
  });
  // After the client's listeners, which would hold a reference again.
  worker.unref();
  return client;
}
