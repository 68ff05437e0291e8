import type { DocsHit } from './search.js';
import { type DocsPage, type DocsSite, escapeHtml } from './site.js';

/**
 * The docs' HTML: every page in one frame (the dashboard's link, the search box, the contents
 * list with the open page's sections) around the page's rendered Markdown. No script: the
 * search is a form the server answers, so the pages work under the dashboard's
 * Content-Security-Policy as they are. Everything taken from a request (the query) is escaped.
 */

export function pageHtml(site: DocsSite, page: DocsPage): string {
  return frame(site, page.id, page.id === '' ? 'Spoor docs' : `${page.title} · Spoor docs`, '', page.html);
}

export function searchHtml(site: DocsSite, query: string, hits: readonly DocsHit[]): string {
  const items = hits.map(({ section, snippet }) => {
    const href = `/docs${section.page === '' ? '' : `/${section.page}`}#${section.anchor}`;
    const where = section.depth === 1 ? '' : `<span class="where">${[section.pageTitle, ...section.parents].map(escapeHtml).join(' › ')}</span>`;
    return `<li><a href="${escapeHtml(href)}">${escapeHtml(section.heading)}</a> ${where}<p>${snippet}</p></li>`;
  });
  const body =
    `<h1>Search: ${escapeHtml(query)}</h1>\n` +
    (hits.length === 0
      ? `<p>No section holds every word of “${escapeHtml(query)}”. Try fewer words, or browse the contents.</p>`
      : `<p>${hits.length === 1 ? '1 section' : `${hits.length} sections`} hold every word.</p>\n<ol class="hits">${items.join('\n')}</ol>`);
  return frame(site, null, `Search: ${query} · Spoor docs`, query, body);
}

export function notFoundHtml(site: DocsSite, name: string): string {
  const body = `<h1>No page “${escapeHtml(name)}”</h1>\n<p>The docs have no page of that name; the contents are on the left, or search them.</p>`;
  return frame(site, null, 'No such page · Spoor docs', '', body);
}

function frame(site: DocsSite, current: string | null, title: string, query: string, body: string): string {
  const contents = site.pages
    .filter((p) => p.id !== '')
    .map((p) => {
      const open = p.id === current;
      const sections = open
        ? `<ul>${p.sections
            .filter((s) => s.depth === 2)
            .map((s) => `<li><a href="#${escapeHtml(s.anchor)}">${escapeHtml(s.heading)}</a></li>`)
            .join('')}</ul>`
        : '';
      return `<li${open ? ' class="open"' : ''}><a href="/docs/${p.id}"${open ? ' aria-current="page"' : ''}>${escapeHtml(p.title)}</a>${sections}</li>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="${ICON}">
<link rel="stylesheet" href="/docs/docs.css">
</head>
<body>
<header>
<a class="home" href="/">Spoor</a> <a href="/docs">Docs</a>
<form action="/docs" method="get" role="search">
<input type="search" name="q" value="${escapeHtml(query)}" placeholder="Search the docs" aria-label="Search the docs">
<button type="submit">Search</button>
</form>
</header>
<div class="layout">
<nav aria-label="Contents"><ul class="contents">
${contents}
</ul></nav>
<main>
${body}
</main>
</div>
</body>
</html>
`;
}

/** The dashboard's icon (its index.html's), so a browser asks for no /favicon.ico. */
const ICON =
  'data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 16 16%22%3E%3Crect x=%221%22 y=%223%22 width=%2210%22 height=%223%22 ' +
  'fill=%22%230072b2%22/%3E%3Crect x=%224%22 y=%227%22 width=%2211%22 height=%223%22 fill=%22%23e69f00%22/%3E%3Crect x=%226%22 y=%2211%22 width=%225%22 ' +
  'height=%223%22 fill=%22%23cc79a7%22/%3E%3C/svg%3E';

/** The docs' one stylesheet, served as `/docs/docs.css` (the policy allows no inline style). */
export const DOCS_CSS = `:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #fff; --line: #d1d9e0; --code: #f6f8fa; --link: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --line: #3d444d; --code: #151b23; --link: #4493f8; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--link); }
header { display: flex; gap: 1rem; align-items: center; padding: .6rem 1.2rem; border-bottom: 1px solid var(--line); }
header .home { font-weight: 600; }
header form { margin-left: auto; display: flex; gap: .4rem; }
header input { width: 18rem; max-width: 50vw; padding: .3rem .5rem; font: inherit; }
.layout { display: grid; grid-template-columns: 16rem minmax(0, 1fr); gap: 2rem; padding: 1rem 1.2rem; max-width: 90rem; }
nav ul { list-style: none; padding-left: 0; margin: 0; }
nav li { margin: .25rem 0; }
nav li ul { padding-left: .9rem; font-size: .9em; }
nav [aria-current] { font-weight: 600; }
main { min-width: 0; }
h1, h2, h3, h4 { line-height: 1.25; }
h2 { border-bottom: 1px solid var(--line); padding-bottom: .3rem; margin-top: 2rem; }
h1 a.anchor, h2 a.anchor, h3 a.anchor, h4 a.anchor { color: inherit; text-decoration: none; }
code { background: var(--code); padding: .1em .3em; border-radius: 4px; font-size: .9em; }
pre { background: var(--code); padding: .8rem 1rem; overflow-x: auto; border-radius: 6px; }
pre code { padding: 0; background: none; }
table { border-collapse: collapse; display: block; overflow-x: auto; margin: 1rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .6rem; vertical-align: top; text-align: left; }
/* A name column (a route, a flag) keeps a readable width and gives the rest to the prose beside it. */
td:first-child { min-width: 14em; max-width: 22em; overflow-wrap: anywhere; }
.hits li { margin-bottom: 1rem; }
.hits p { margin: .2rem 0; color: var(--muted); }
.where { color: var(--muted); font-size: .9em; }
mark { background: #fff8c5; color: #1f2328; }
@media (max-width: 50rem) { .layout { grid-template-columns: 1fr; } }
`;
