import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DOCS_CSS, notFoundHtml, pageHtml, searchHtml } from '../docs/page-html.js';
import { searchDocs } from '../docs/search.js';
import { type DocsSite, loadDocsSite } from '../docs/site.js';
import { contentAnswer } from '../http/content.js';
import { withPageHeaders } from './web-ui.js';

export interface DocsRoutesOptions {
  /** The Markdown docs' directory (`defaultDocsDir()`); `null`: the routes say the docs are not installed. */
  dir: string | null;
}

const tags = ['ui'];
const HTML = { 'text/html': Type.String() };
const QUERY = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'words to find: the sections holding every one, best first' })),
});
const PAGE = Type.Object({ page: Type.String({ maxLength: 100, description: 'a page of the docs (`alerting`), or `docs.css`' }) });

/**
 * The docs, rendered from their Markdown (`docs/site.ts`): `/docs` the contents and search,
 * `/docs/NAME` a page. Public, as the dashboard's own files are: they hold no record, project or
 * key, and the same text ships in the package. Read and rendered on the first request, not at
 * start: most servers are never asked for them.
 */
export async function docsRoutes(instance: FastifyInstance, options: DocsRoutesOptions): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  let site: Promise<DocsSite | null> | undefined;
  const loaded = (): Promise<DocsSite | null> => (site ??= options.dir === null ? Promise.resolve(null) : loadDocsSite(options.dir));
  const html = (reply: FastifyReply, status: number, body: string): FastifyReply =>
    withPageHeaders(reply).code(status).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(body);
  const missing = (reply: FastifyReply): FastifyReply =>
    withPageHeaders(reply)
      .code(404)
      .type('text/plain; charset=utf-8')
      .send('This Spoor was installed without its docs; they are in its package and its repository, under docs/.\n');

  app.get(
    '/docs',
    {
      schema: {
        summary: "The docs' contents, or the sections that hold the words of `q`",
        tags,
        querystring: QUERY,
        response: {
          200: contentAnswer('The contents page, or the search results', HTML),
          404: contentAnswer('The docs are not installed', { 'text/plain': Type.String() }),
        },
      },
    },
    async (request, reply) => {
      const docs = await loaded();
      if (docs === null) return missing(reply);
      const query = (request.query.q ?? '').trim();
      if (query === '') return html(reply, 200, pageHtml(docs, docs.byId.get('')!));
      return html(
        reply,
        200,
        searchHtml(
          docs,
          query,
          searchDocs(
            docs.pages.flatMap((p) => p.sections),
            query,
          ),
        ),
      );
    },
  );
  app.get(
    '/docs/:page',
    {
      schema: {
        summary: 'A page of the docs',
        tags,
        params: PAGE,
        response: {
          200: contentAnswer('The page, or the stylesheet', { ...HTML, 'text/css': Type.String() }),
          404: contentAnswer('No page of that name', { ...HTML, 'text/plain': Type.String() }),
        },
      },
    },
    async (request, reply) => {
      const docs = await loaded();
      if (docs === null) return missing(reply);
      const name = request.params.page;
      if (name === 'docs.css') return withPageHeaders(reply).header('cache-control', 'no-cache').type('text/css; charset=utf-8').send(DOCS_CSS);
      const page = name === '' ? undefined : docs.byId.get(name);
      if (page === undefined) return html(reply, 404, notFoundHtml(docs, name));
      return html(reply, 200, pageHtml(docs, page));
    },
  );
}
