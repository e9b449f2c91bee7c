import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Tells an unknown path (404) from a known path asked with another method (405), as Laravel
 * and Starlette do: the scope's 404 handler gets the methods its routes allow on the path.
 * Must be installed before the scope's routes.
 */
export function useRouteNotFound(
  scope: FastifyInstance,
  answer: (request: FastifyRequest, reply: FastifyReply, allowed: readonly string[]) => FastifyReply,
): void {
  const routes: Array<{ method: string; path: RegExp }> = [];
  scope.addHook('onRoute', (route) => {
    const pattern = route.url
      .replace(/\/+$/, '')
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/:[A-Za-z_]+/g, '[^/]+');
    const path = new RegExp(`^${pattern}/?$`);
    for (const method of [route.method].flat()) routes.push({ method, path });
  });
  scope.setNotFoundHandler((request, reply) => {
    const path = `/${(request.url.split('?')[0] ?? '').replace(/^\/+|\/+$/g, '')}`;
    const allowed = [...new Set(routes.filter((route) => route.path.test(path)).map((route) => route.method))];
    return answer(request, reply, allowed);
  });
}
