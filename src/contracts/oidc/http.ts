import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { ClientAuthentication } from '../../core/use-cases/token-grants.ts';

const FORM = 'application/x-www-form-urlencoded';

/**
 * RFC 6749 requests are form-encoded. Parsed here with the platform's URLSearchParams; a
 * repeated parameter becomes an array, which the schemas refuse (RFC 6749 §3.1: invalid_request).
 */
export function acceptForms(scope: FastifyInstance): void {
  if (scope.hasContentTypeParser(FORM)) return;
  scope.addContentTypeParser(FORM, { parseAs: 'string' }, (_request, body, done) => {
    done(null, parseForm(String(body)));
  });
}

export function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const seen = out[name];
    out[name] = seen === undefined ? value : [...[seen].flat(), value];
  }
  return out;
}

/**
 * Client authentication (RFC 6749 §2.3.1): HTTP Basic with the form-urlencoded id and secret, or
 * `client_id`/`client_secret` in the body; a public client names itself with `client_id`.
 * Using two methods at once is invalid_request.
 */
export function clientAuthentication(
  request: FastifyRequest,
  body: { client_id?: string | undefined; client_secret?: string | undefined },
): ClientAuthentication {
  const header = request.headers.authorization;
  if (typeof header === 'string' && /^basic /i.test(header)) {
    if (body.client_secret !== undefined) throw new GatehouseError(ErrorCode.Validation, 'Use one client authentication method, not two');
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new GatehouseError(ErrorCode.InvalidClient, 'Malformed Basic authorization header');
    let clientId: string;
    let clientSecret: string;
    try {
      clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      clientSecret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    } catch {
      throw new GatehouseError(ErrorCode.InvalidClient, 'Malformed Basic authorization header');
    }
    if (body.client_id !== undefined && body.client_id !== clientId)
      throw new GatehouseError(ErrorCode.Validation, 'client_id does not match the authorization header');
    return { clientId, clientSecret };
  }
  return { clientId: body.client_id, clientSecret: body.client_secret };
}

/** RFC 6749 §5.1 / RFC 6750: token answers are never cached. */
export function noStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
  reply.header('pragma', 'no-cache');
}
