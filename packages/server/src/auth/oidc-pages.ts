import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';

/**
 * The pages single sign-on shows itself, where the dashboard cannot: a sign-in refused, a person
 * no rule admits, a provider that does not answer. Plain HTML made here (the browser arrives from
 * the provider, not from a page of the dashboard), every text escaped, its one style allowed by
 * its hash and nothing else: no script, no form, no frame.
 */

const STYLE =
  'body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}' +
  'main{max-width:560px;margin:12vh auto;padding:24px;background:#fff;border:1px solid #d0d7de;border-radius:8px}' +
  'h1{font-size:20px;margin:0 0 12px}p{margin:8px 0}code{font-size:13px}a{color:#0969da}';

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char]!);
}

export interface AuthPage {
  status: number;
  title: string;
  /** Paragraphs of plain text (escaped here). */
  paragraphs: string[];
  retryAfterSeconds?: number;
}

/** Answers with the page; nothing in it is cached or framed. */
export function sendAuthPage(reply: FastifyReply, page: AuthPage): FastifyReply {
  const body =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(page.title)} · Spoor</title><style>${STYLE}</style></head><body><main>` +
    `<h1>${escapeHtml(page.title)}</h1>${page.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}` +
    `<p><a href="/">Back to Spoor</a></p></main></body></html>`;
  if (page.retryAfterSeconds !== undefined) void reply.header('retry-after', String(page.retryAfterSeconds));
  return reply
    .code(page.status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .send(body);
}
