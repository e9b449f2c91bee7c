import type { FastifyInstance } from 'fastify';

/**
 * Browser-facing defaults for an API that serves JSON (and the /docs page): no framing, no
 * referrer leaking tokens in URLs, and for anything that is not the docs HTML a CSP that lets
 * nothing run, so a JSON body rendered as a page by mistake cannot execute script.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-resource-policy', 'same-origin');
    // The docs page and the hosted pages (pages/csp.ts, set by renderPage) bring their own policy.
    if (reply.hasHeader('content-security-policy')) return;
    const type = String(reply.getHeader('content-type') ?? '');
    // Swagger UI's page needs its own scripts and styles; it still may not be framed.
    reply.header(
      'content-security-policy',
      type.startsWith('text/html') ? "frame-ancestors 'none'" : "default-src 'none'; frame-ancestors 'none'",
    );
  });
}
