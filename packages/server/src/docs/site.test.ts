import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Marked, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { searchDocs, snippet } from './search.js';
import { type DocsSection, createSlugger, docsHref } from './site.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const DOCS = readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md'));
const FILES = ['README.md', ...DOCS.map((name) => `docs/${name}`)];
const PAGE_IDS = new Set(DOCS.filter((name) => name !== 'README.md').map((name) => name.slice(0, -3)));
const marked = new Marked({ gfm: true });

/** The anchors a forge gives a file's headings. */
function anchorsOf(file: string): Set<string> {
  const slug = createSlugger();
  const anchors = new Set<string>();
  marked.walkTokens(marked.lexer(readFileSync(join(ROOT, file), 'utf8')), (token) => {
    if (token.type === 'heading') anchors.add(slug((token as Tokens.Heading).text));
  });
  return anchors;
}

/** The links a file's Markdown makes (none from inside code). */
function linksOf(file: string): string[] {
  const links: string[] = [];
  marked.walkTokens(marked.lexer(readFileSync(join(ROOT, file), 'utf8')), (token) => {
    if (token.type === 'link') links.push((token as Tokens.Link).href);
  });
  return links;
}

describe('the docs as files', () => {
  it('keep the README a front door: at most 400 lines', () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length;
    expect(lines).toBeLessThanOrEqual(400);
  });

  it('link, between the README and the pages, only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const file of FILES) {
      for (const href of linksOf(file)) {
        if (/^[a-z]+:/i.test(href)) continue;
        const [path = '', anchor] = href.split('#');
        const target = path === '' ? file : relative(ROOT, join(ROOT, dirname(file), path));
        if (!existsSync(join(ROOT, target))) broken.push(`${file}: ${href} (no file ${target})`);
        else if (anchor !== undefined && target.endsWith('.md') && !anchorsOf(target).has(anchor)) {
          broken.push(`${file}: ${href} (no heading #${anchor} in ${target})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('link to pages /docs serves: every link to a Markdown file of the docs is rewritten', () => {
    const unserved = FILES.flatMap((file) =>
      linksOf(file)
        .filter((href) => /\.md(#|$)/.test(href) && !/(BENCHMARKS|RELIABILITY)\.md/.test(href))
        .filter((href) => docsHref(file, href, new Set([...PAGE_IDS, 'start'])) === null)
        .map((href) => `${file}: ${href}`),
    );
    expect(unserved).toEqual([]);
  });

  it("are where the dashboard's Docs links point", () => {
    const source = readFileSync(join(ROOT, 'packages/web/src/docs-links.ts'), 'utf8');
    const targets = [...source.matchAll(/'\/docs\/([a-z0-9-]+)(?:#([a-z0-9-]+))?'/g)];
    expect(targets.length).toBeGreaterThan(5);
    for (const [, page, anchor] of targets) {
      expect(PAGE_IDS.has(page!), page).toBe(true);
      if (anchor !== undefined) expect(anchorsOf(`docs/${page}.md`).has(anchor), `${page}#${anchor}`).toBe(true);
    }
  });
});

describe('createSlugger', () => {
  it.each([
    ['What "acknowledged" means', 'what-acknowledged-means'],
    ['Instrument a TypeScript app: `@spoor/sdk`', 'instrument-a-typescript-app-spoorsdk'],
    ['Past one machine: ClickHouse and several servers', 'past-one-machine-clickhouse-and-several-servers'],
    ['Export (Parquet, JSONL)', 'export-parquet-jsonl'],
    ['`spoor_traces_total` and friends', 'spoor_traces_total-and-friends'],
  ])('makes %j the anchor %j, as a forge does', (heading, anchor) => {
    expect(createSlugger()(heading)).toBe(anchor);
  });

  it('numbers a heading repeated on a page', () => {
    const slug = createSlugger();
    expect([slug('Labels'), slug('Labels'), slug('Labels')]).toEqual(['labels', 'labels-1', 'labels-2']);
  });
});

describe('docsHref', () => {
  const ids = new Set(['alerting', 'quality', 'start']);
  it.each([
    ['docs/quality.md', 'alerting.md#labels', '/docs/alerting#labels'],
    ['docs/quality.md', '#datasets', '#datasets'],
    ['docs/quality.md', 'README.md', '/docs'],
    ['docs/quality.md', '../README.md#develop', '/docs/start#develop'],
    ['README.md', 'docs/alerting.md', '/docs/alerting'],
    ['README.md', 'docs/README.md', '/docs'],
    ['README.md', 'BENCHMARKS.md', null],
    ['docs/quality.md', '../BENCHMARKS.md', null],
    ['docs/quality.md', 'missing.md', null],
    ['docs/quality.md', '../../etc/passwd', null],
    ['docs/quality.md', 'javascript:alert(1)', null],
    ['docs/quality.md', 'https://opentelemetry.io/docs/', 'https://opentelemetry.io/docs/'],
  ])('from %s, %s is %j', (from, href, served) => {
    expect(docsHref(from, href, ids)).toBe(served);
  });
});

describe('searchDocs', () => {
  const section = (heading: string, text: string, parents: string[] = []): DocsSection => ({
    page: 'p',
    pageTitle: 'Page',
    anchor: heading.toLowerCase(),
    heading,
    parents,
    depth: 2,
    text,
  });
  const sections = [
    section('Retention', 'data is kept 30 days; see retention per signal'),
    section('Configure', 'the --retention flag and every other flag'),
    section('Grammar', 'rule := value', ['Rule expressions']),
  ];

  it('finds the sections holding every word, those with it in their heading first', () => {
    expect(searchDocs(sections, 'retention').map((h) => h.section.heading)).toEqual(['Retention', 'Configure']);
    expect(searchDocs(sections, 'retention flag').map((h) => h.section.heading)).toEqual(['Configure']);
    expect(searchDocs(sections, 'expressions grammar').map((h) => h.section.heading)).toEqual(['Grammar']);
    expect(searchDocs(sections, '   ')).toEqual([]);
    // A word is found where a word starts: a part of another word is no match.
    expect(searchDocs(sections, 'tent')).toEqual([]);
    expect(searchDocs(sections, 'RETEN').map((h) => h.section.heading)).toEqual(['Retention', 'Configure']);
    expect(searchDocs(sections, 'a(b')).toEqual([]);
  });

  it('escapes the text of a snippet and marks the words', () => {
    expect(snippet('a <b>retention</b> & more', ['retention'])).toBe('a &lt;b&gt;<mark>retention</mark>&lt;/b&gt; &amp; more');
    expect(snippet('x', ['<script>'])).toBe('x');
  });
});
