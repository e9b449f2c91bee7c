import type { FastifyRequest } from 'fastify';

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * The page shown when an authorization or logout request cannot be answered with a redirect
 * (unknown client, redirect URI not registered): it says what went wrong and links nowhere else.
 */
export function renderErrorPage(_request: FastifyRequest, error: string, description: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign-in error</title></head>
<body><main><h1>This sign-in request cannot be completed</h1><p>${escape(description)}</p><p>Error code: <code>${escape(error)}</code></p>
<p>Go back to the application you came from and try again. If it keeps happening, tell its operator.</p></main></body></html>`;
}
