import type { Config } from '../../config.ts';
import { endpoint } from '../routes.ts';
import { renderPage } from './render.ts';

/** Where the hosted sign-in page lives once it is mounted (issue 15); the start page links to it then. */
export const SIGN_IN_PATH = '/login';

const API_NAMES = { ovok: 'Ovok', pixelmover: 'PixelMover', jinuai: 'JinuAI' } as const;

/**
 * GET /: what this server is, for a person who opens it in a browser: the sign-in page (when
 * mounted), the API reference and the discovery document. Links are relative, so they work
 * under whatever host name the server is reached.
 */
export const landing = (config: Config) =>
  endpoint({
    schema: { hide: true },
    handler: (request, reply) =>
      renderPage(reply, request, 'landing', {
        signInHref: request.server.hasRoute({ method: 'GET', url: SIGN_IN_PATH }) ? SIGN_IN_PATH : undefined,
        docsHref: '/docs',
        discoveryHref: '/.well-known/openid-configuration',
        apis: (Object.keys(API_NAMES) as Array<keyof typeof API_NAMES>)
          .filter((name) => config.contracts[name])
          .map((name) => API_NAMES[name]),
      }),
  });
