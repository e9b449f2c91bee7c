import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { themeCss } from './theme.ts';

/**
 * Where templates and assets are found at run time: next to this module in src/, next to the
 * bundle in dist/ (scripts/build.mjs copies both folders there).
 */
export const TEMPLATES_DIR = fileURLToPath(new URL('./templates/', import.meta.url));
export const ASSETS_DIR = fileURLToPath(new URL('./assets/', import.meta.url));

const YEAR_SECONDS = 365 * 24 * 3600;

/** `/assets/<file>?v=<content hash>` of each asset: a changed file gets a new URL, so each URL can be cached for a year. */
export type AssetUrls = Readonly<Record<string, string>>;

export function assetUrls(dir: string = ASSETS_DIR): AssetUrls {
  const urls: Record<string, string> = {};
  for (const file of readdirSync(dir)) {
    const hash = createHash('sha256')
      .update(readFileSync(`${dir}${file}`))
      .digest('hex')
      .slice(0, 12);
    urls[file] = `/assets/${file}?v=${hash}`;
  }
  return urls;
}

/**
 * Serves the files of assets/ (ETag, Last-Modified, `immutable` for a year) and the per-colour
 * theme stylesheets, from Gatehouse itself: no CDN, everything works offline.
 */
export async function registerAssets(scope: FastifyInstance): Promise<void> {
  await scope.register(fastifyStatic, {
    root: ASSETS_DIR,
    prefix: '/assets/',
    // One route per file found at start: nothing else under /assets/ is looked up on disk.
    wildcard: false,
    index: false,
    decorateReply: false,
    immutable: true,
    maxAge: YEAR_SECONDS * 1000,
    schemaHide: true,
  });
  scope.get<{ Params: { file: string } }>('/assets/theme/:file', { schema: { hide: true } }, async (request, reply) => {
    // Only the lower-case form themeUrl() produces, so one colour has one URL (and one cache entry).
    const match = /^([0-9a-f]{6})\.css$/.exec(request.params.file);
    if (match === null) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    return reply
      .type('text/css; charset=utf-8')
      .header('cache-control', `public, max-age=${YEAR_SECONDS}, immutable`)
      .send(themeCss(`#${match[1]}`));
  });
}
