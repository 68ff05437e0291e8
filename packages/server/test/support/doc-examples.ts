/**
 * The fenced examples of a Markdown page, as the docs examples test runs them: each fence's
 * language decides how it runs, and a fence preceded (on the line right before it) by
 * `<!-- not-runnable: reason -->` is listed with its reason instead of run.
 */

/** How an example is run: by bash, by Node (TypeScript transpiled), as a config file, parsed as JSON, or not at all (`text`). */
export type ExampleKind = 'shell' | 'typescript' | 'yaml' | 'json' | 'text' | 'unrunnable';

export interface DocExample {
  /** The page's path, as given. */
  page: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's info string's first word, lower-cased ('' when none). */
  lang: string;
  kind: ExampleKind | undefined;
  /** The fence's content, its indentation (a fence inside a list item) taken off. */
  code: string;
  /** The reason given by a `<!-- not-runnable: … -->` line right before the fence. */
  notRunnable?: string;
  /** A JSON body's route, from a `<!-- request: METHOD /path -->` line right before the fence: the test sends it there. */
  request?: { method: string; path: string };
  /** A `<!-- mcp-config: NAME -->` line right before the fence: run by `mcp-readme.int.test.ts`, which finds it by that name. */
  mcpConfig?: string;
}

/**
 * Languages and how they run. `text` is for what is not an example (a diagram, a grammar);
 * `sql` and `xml` are examples of other programs' input (DuckDB, ClickHouse's config), which
 * the test has no runner for: such a fence must say why it is not run.
 */
const KINDS: Record<string, ExampleKind> = {
  sh: 'shell',
  bash: 'shell',
  shell: 'shell',
  console: 'shell',
  ts: 'typescript',
  typescript: 'typescript',
  yaml: 'yaml',
  yml: 'yaml',
  json: 'json',
  text: 'text',
  sql: 'unrunnable',
  xml: 'unrunnable',
};

const OPEN = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;
const MARK = /^\s*<!--\s*not-runnable:\s*(.*?)\s*-->\s*$/;
const MCP_CONFIG = /^\s*<!--\s*mcp-config:\s*(.*?)\s*-->\s*$/;
const REQUEST = /^\s*<!--\s*request:\s*(GET|POST|PUT|PATCH|DELETE)\s+(\/\S*)\s*-->\s*$/;

/** Every fenced block of `text` (CommonMark fences of backticks or tildes, indented or not), in order. */
export function docExamples(page: string, text: string): DocExample[] {
  const lines = text.split('\n');
  const examples: DocExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i]!);
    if (open === null) continue;
    const [, indent, fence, info] = open as unknown as [string, string, string, string];
    const closing = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !closing.test(lines[end]!)) end++;
    const body = lines.slice(i + 1, end).map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()));
    const lang = info.toLowerCase();
    const before = i > 0 ? lines[i - 1]! : '';
    const mark = MARK.exec(before)?.[1];
    const mcp = MCP_CONFIG.exec(before)?.[1];
    const request = REQUEST.exec(before);
    examples.push({
      page,
      line: i + 1,
      lang,
      kind: KINDS[lang],
      code: body.join('\n'),
      ...(mark === undefined ? {} : { notRunnable: mark }),
      ...(mcp === undefined ? {} : { mcpConfig: mcp }),
      ...(request === null ? {} : { request: { method: request[1]!, path: request[2]! } }),
    });
    i = end;
  }
  return examples;
}

/** The commands of a `console` example: its `$ ` lines (and their `\` continuations); the rest is output. */
export function consoleCommands(code: string): string {
  const out: string[] = [];
  let continuing = false;
  for (const line of code.split('\n')) {
    if (continuing || line.startsWith('$ ')) {
      out.push(continuing ? line : line.slice(2));
      continuing = line.endsWith('\\');
    }
  }
  return out.join('\n');
}

/** Where the docs name the server: its default address on loopback. */
const DOCS_SERVER = /\b(?:127\.0\.0\.1|localhost):4318\b/g;

/** The example with the docs' server address replaced by `hostPort` (a literal, or a shell expansion). */
export function withServer(code: string, hostPort: string): string {
  return code.replace(DOCS_SERVER, hostPort);
}
