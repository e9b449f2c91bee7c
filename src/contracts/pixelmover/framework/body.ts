import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Request bodies as Laravel reads them: JSON (also `application/*+json`) and urlencoded
 * forms become input; a JSON body that does not parse is no input at all (json_decode gives
 * null), so validation answers it with 422s, as Laravel does. Other media types are 415.
 */
export function useLaravelBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const json = (_request: FastifyRequest, body: string | Buffer, done: (error: Error | null, body?: unknown) => void): void => {
    const text = String(body);
    let parsed: unknown = {};
    if (text.trim() !== '') {
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        parsed = {};
      }
    }
    done(null, parsed);
  };
  app.addContentTypeParser('application/json', { parseAs: 'string' }, json);
  app.addContentTypeParser(/^application\/[^;\s]+\+json\s*(;|$)/i, { parseAs: 'string' }, json);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, formFields(String(body)));
  });
}

/** PHP's reading of a form: the last value of a repeated field wins; `name[]` fields are lists. */
export function formFields(text: string): Record<string, unknown> {
  const fields = new Map<string, unknown>();
  for (const [key, value] of new URLSearchParams(text)) {
    if (key.endsWith('[]')) {
      const name = key.slice(0, -2);
      const list = fields.get(name);
      fields.set(name, Array.isArray(list) ? [...(list as unknown[]), value] : [value]);
    } else {
      fields.set(key, value);
    }
  }
  return Object.fromEntries(fields);
}
