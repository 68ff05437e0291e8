import { parentPort } from 'node:worker_threads';
import { type Regex, setRegexLimits } from '../regex.js';
import { ThreadServer, threadConfig } from '../threads/server.js';
import { type RegexProtocol, compiledFor } from './regex-protocol.js';

/**
 * The regex thread: `regex` evaluators' patterns tested on long texts, off the thread that
 * answers HTTP. A pattern is compiled once and kept (a few hundred at most: one per evaluator).
 */
setRegexLimits(threadConfig<RegexProtocol>());
const compiled = new Map<string, Regex>();
new ThreadServer<RegexProtocol>(parentPort!).serve({
  calls: { test: (pattern, text) => compiledFor(compiled, pattern).test(text) },
  posts: {},
});
