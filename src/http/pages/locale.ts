import type { FastifyRequest } from 'fastify';
import { DEFAULT_LOCALE, LOCALES } from './i18n/index.ts';

/** Where a page's language came from: an explicit choice is carried on in forms, a header is not. */
export interface Negotiated {
  readonly locale: string;
  /** Set when `ui_locales` chose the language (query or form): forms carry it to the next request. */
  readonly uiLocales: string | undefined;
}

/** The best available language for a list of BCP 47 tags in order of preference: exact tag, then its primary subtag. */
export function bestLocale(tags: readonly string[], available: readonly string[] = LOCALES): string | undefined {
  for (const tag of tags) {
    const lower = tag.trim().toLowerCase();
    if (lower === '' || lower === '*') continue;
    const exact = available.find((locale) => locale.toLowerCase() === lower);
    if (exact !== undefined) return exact;
    const primary = available.find((locale) => locale.toLowerCase() === lower.split('-')[0]);
    if (primary !== undefined) return primary;
  }
  return undefined;
}

/** A language range of Accept-Language (RFC 4647): `de`, `de-AT`, `*`. */
const LANGUAGE_RANGE = /^(?:[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)$/;

/** `Accept-Language` tags by descending quality (q=0 means "not this one"); equal qualities keep their order. */
export function acceptedLanguages(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header
    .split(',')
    .slice(0, 32)
    .map((part, index) => {
      const [tag = '', ...parameters] = part.split(';').map((piece) => piece.trim());
      const q = parameters.find((parameter) => parameter.startsWith('q='));
      const quality = q === undefined ? 1 : Number(q.slice(2));
      return { tag, quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((entry) => LANGUAGE_RANGE.test(entry.tag) && entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index)
    .map((entry) => entry.tag);
}

/** OpenID Connect `ui_locales`: space-separated tags, most preferred first. */
export function uiLocaleTags(value: unknown): string[] {
  return typeof value === 'string'
    ? value
        .split(' ')
        .filter((tag) => tag !== '')
        .slice(0, 16)
    : [];
}

function field(source: unknown, name: string): unknown {
  return source !== null && typeof source === 'object' ? (source as Record<string, unknown>)[name] : undefined;
}

/**
 * The page language: `ui_locales` of the query, then of a posted form (pages carry it in a hidden
 * field), then `Accept-Language`, then English.
 */
export function negotiateLocale(request: FastifyRequest): Negotiated {
  for (const source of [request.query, request.body]) {
    const locale = bestLocale(uiLocaleTags(field(source, 'ui_locales')));
    if (locale !== undefined) return { locale, uiLocales: locale };
  }
  const header = request.headers['accept-language'];
  return { locale: bestLocale(acceptedLanguages(header)) ?? DEFAULT_LOCALE, uiLocales: undefined };
}
