import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Marked, type Token, type Tokens } from 'marked';

/**
 * The project's Markdown docs (`docs/*.md` and the README), rendered once into HTML pages with
 * a contents list and the sections search reads. The same files read as Markdown on a forge, so
 * their links are relative file links (`alerting.md#labels`, `docs/quality.md`); each is
 * rewritten here to the page that serves it (`/docs/alerting#labels`). Pages are found by name
 * in a map made from the files listed at load: no path from a request ever reaches the disk.
 */

export interface DocsSection {
  /** The page's id (`alerting`; `''` the contents page). */
  page: string;
  pageTitle: string;
  /** The heading's anchor on its page, as a forge makes it. */
  anchor: string;
  heading: string;
  /** The headings it is under, below the page's title (`Rule expressions` for `Grammar`). */
  parents: string[];
  depth: number;
  /** The section's text without Markdown's marks, for search. */
  text: string;
}

export interface DocsPage {
  id: string;
  title: string;
  /** Where the file is in the checkout: `docs/alerting.md`, or `README.md` for the project README. */
  file: string;
  html: string;
  sections: DocsSection[];
}

export interface DocsSite {
  /** The contents page (`docs/README.md`) first, then the project README, then each page in the order the contents list links them. */
  pages: DocsPage[];
  byId: ReadonlyMap<string, DocsPage>;
}

/** The README, served as `/docs/start`: the walkthrough every other page builds on. */
export const START_PAGE = 'start';

/**
 * Where the docs are: the copy a packed `@spoor/server` carries in `docs/` (with the project
 * README beside it), else the checkout's `docs/`; `null` when neither is there.
 */
export function defaultDocsDir(): string | null {
  for (const dir of ['../../docs', '../../../../docs']) {
    const path = fileURLToPath(new URL(dir, import.meta.url));
    if (existsSync(join(path, 'README.md'))) return path;
  }
  return null;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as `-`, a repeated one numbered. */
export function createSlugger(): (heading: string) => string {
  const seen = new Map<string, number>();
  return (heading) => {
    const base = plainText(heading)
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base);
    seen.set(base, count === undefined ? 0 : count + 1);
    return count === undefined ? base : `${base}-${count + 1}`;
  };
}

/** A heading or a line of Markdown as the text it shows: links as their words, code and emphasis unmarked. */
function plainText(markdown: string): string {
  return markdown
    .replace(/<[^>]*>/g, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '');
}

/**
 * The served address of a relative link written in `from` (`docs/quality.md` or `README.md`):
 * `/docs/NAME` for a page, with its anchor; the anchor alone within a page; `null` for a file
 * the docs do not serve (BENCHMARKS.md), which is then shown as text.
 */
export function docsHref(from: string, href: string, pageIds: ReadonlySet<string>): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return /^(https?|mailto):/i.test(href) ? href : null;
  if (href.startsWith('#')) return href;
  const hash = href.indexOf('#');
  const path = hash < 0 ? href : href.slice(0, hash);
  const anchor = hash < 0 ? '' : href.slice(hash);
  const target = posix.normalize(posix.join(posix.dirname(from), path));
  if (target === 'README.md') return `/docs/${START_PAGE}${anchor}`;
  if (target === 'docs/README.md') return `/docs${anchor}`;
  const page = /^docs\/([a-z0-9-]+)\.md$/.exec(target)?.[1];
  return page !== undefined && pageIds.has(page) ? `/docs/${page}${anchor}` : null;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

interface SourceFile {
  id: string;
  file: string;
  markdown: string;
}

/** Reads and renders every page; `null` when the directory has no contents page. */
export async function loadDocsSite(dir: string): Promise<DocsSite | null> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name === 'README.md' || /^[a-z0-9-]+\.md$/.test(name));
  } catch {
    // No docs directory: the same answer as one without its contents page.
    return null;
  }
  if (!names.includes('README.md')) return null;
  const sources: SourceFile[] = [];
  for (const name of names) {
    const markdown = await readFile(join(dir, name), 'utf8');
    sources.push(name === 'README.md' ? { id: '', file: 'docs/README.md', markdown } : { id: name.slice(0, -3), file: `docs/${name}`, markdown });
  }
  const readme = join(dir, '..', 'README.md');
  if (existsSync(readme)) sources.push({ id: START_PAGE, file: 'README.md', markdown: await readFile(readme, 'utf8') });
  const ids = new Set(sources.map((s) => s.id));
  const pages = sources.map((source) => renderPage(source, ids));
  const order = contentsOrder(pages.find((p) => p.id === '')!, ids);
  pages.sort((a, b) => order(a.id) - order(b.id) || a.id.localeCompare(b.id));
  return { pages, byId: new Map(pages.map((p) => [p.id, p])) };
}

/** The contents page first, the README next, then pages in the order the contents page links them. */
function contentsOrder(contents: DocsPage, ids: ReadonlySet<string>): (id: string) => number {
  const linked = [...contents.html.matchAll(/href="\/docs\/([a-z0-9-]+)"/g)].map((m) => m[1]!).filter((id) => ids.has(id));
  return (id) => (id === '' ? -2 : id === START_PAGE ? -1 : linked.includes(id) ? linked.indexOf(id) : linked.length);
}

function renderPage(source: SourceFile, ids: ReadonlySet<string>): DocsPage {
  const slug = createSlugger();
  const marked = new Marked({ gfm: true });
  marked.use({
    renderer: {
      heading(this: { parser: { parseInline(tokens: Token[]): string } }, token: Tokens.Heading): string {
        const id = escapeHtml(slug(token.text));
        return `<h${token.depth} id="${id}"><a class="anchor" href="#${id}">${this.parser.parseInline(token.tokens)}</a></h${token.depth}>\n`;
      },
      link(this: { parser: { parseInline(tokens: Token[]): string } }, token: Tokens.Link): string {
        const inner = this.parser.parseInline(token.tokens);
        const href = docsHref(source.file, token.href, ids);
        if (href === null) return `<span class="file">${inner}</span>`;
        const external = /^https?:/i.test(href) ? ' rel="noopener noreferrer"' : '';
        return `<a href="${escapeHtml(href)}"${external}>${inner}</a>`;
      },
      // The Markdown is ours, but no markup of it runs: comments (marks for the examples' test) are dropped, anything else shown as text.
      html(token: Tokens.HTML | Tokens.Tag): string {
        return token.text.trimStart().startsWith('<!--') ? '' : escapeHtml(token.text);
      },
      image(token: Tokens.Image): string {
        return escapeHtml(token.text);
      },
    },
  });
  const tokens = marked.lexer(source.markdown);
  const html = marked.parser(tokens);
  const titleToken = tokens.find((t): t is Tokens.Heading => t.type === 'heading' && t.depth === 1);
  const title = titleToken === undefined ? source.id : plainText(titleToken.text);
  return { id: source.id, title, file: source.file, html, sections: sectionsOf(source.id, title, tokens) };
}

/** Each heading with the text up to the next, for search (the text before the first heading goes with the page's title). */
function sectionsOf(page: string, pageTitle: string, tokens: Token[]): DocsSection[] {
  const slug = createSlugger();
  const sections: DocsSection[] = [];
  let text: string[] = [];
  let current: Omit<DocsSection, 'text'> | null = null;
  const open: string[] = [];
  const close = (): void => {
    if (current !== null) sections.push({ ...current, text: text.join(' ').replace(/\s+/g, ' ').trim() });
    text = [];
  };
  for (const token of tokens) {
    if (token.type === 'heading') {
      close();
      const heading = token as Tokens.Heading;
      open.length = Math.max(0, heading.depth - 1);
      const parents = open.slice(1).filter((h) => h !== undefined);
      open[heading.depth - 1] = plainText(heading.text);
      current = { page, pageTitle, anchor: slug(heading.text), heading: plainText(heading.text), parents, depth: heading.depth };
    } else if (token.type !== 'html' && token.type !== 'space') {
      text.push(
        plainText(token.raw)
          .replace(/\|/g, ' ')
          .replace(/^[-#>]+\s*/gm, ''),
      );
    }
  }
  close();
  return sections;
}
