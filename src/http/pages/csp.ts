/**
 * The Content-Security-Policy of every hosted page: scripts, styles and fonts only from this
 * server (no inline script or style, no `eval`), images also from https: (project logos) and
 * data:, no plugins, no `<base>`, never framed.
 *
 * `form-action` limits where a form may send the browser, and browsers apply it to the
 * redirects that follow a form's POST as well. A sign-in or consent form answers with a redirect
 * to the OAuth client's `redirect_uri`, so such a page must list that URI's origin (or its
 * custom scheme, for native apps): `renderPage(..., { formActions: [redirectUri] })`. Only a
 * redirect URI already checked against the client's registered ones may be given.
 */
const FIXED = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https: data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
];

const NEVER = new Set(['javascript:', 'vbscript:', 'data:', 'blob:', 'filesystem:', 'file:', 'about:', 'ws:', 'wss:']);

/** The CSP source that lets a form lead to `uri`: its origin (http/https) or its scheme (native apps), else undefined. */
export function formActionSource(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol === 'https:' || url.protocol === 'http:') return url.origin;
  // A native app's private-use scheme such as com.example.app: (RFC 8252); schemes that run or
  // embed content are never a target.
  return /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) && !NEVER.has(url.protocol) ? url.protocol : undefined;
}

export function pageCsp(formActions: readonly string[] = []): string {
  const sources = new Set(["'self'"]);
  for (const uri of formActions) {
    const source = formActionSource(uri);
    if (source !== undefined) sources.add(source);
  }
  return [...FIXED, `form-action ${[...sources].join(' ')}`].join('; ');
}
