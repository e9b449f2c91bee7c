import type { FastifyReply, FastifyRequest } from 'fastify';
import { readCookie, writeCookie } from './cookies.ts';
import { isMessageKey, type MessageKey } from './i18n/index.ts';

/** A message shown above a page's content: `error` is announced at once (role=alert), the others politely. */
export interface Notice {
  readonly kind: 'success' | 'info' | 'error';
  readonly message: MessageKey;
}

const COOKIE = 'gatehouse-flash';
const KINDS = new Set<string>(['success', 'info', 'error']);

/**
 * Keeps a notice for the next page this browser renders (post/redirect/get: "Your password was
 * changed" after the redirect to the sign-in page). Only a catalogue key travels, so the notice
 * is translated on display and a forged cookie can show nothing but one of our own texts.
 */
export function flash(request: FastifyRequest, reply: FastifyReply, notice: Notice): void {
  writeCookie(request, reply, COOKIE, `${notice.kind}:${notice.message}`, 60);
}

/** The notice kept by `flash`, cleared as it is read. */
export function takeFlash(request: FastifyRequest, reply: FastifyReply): Notice | undefined {
  const value = readCookie(request, COOKIE);
  if (value === undefined) return undefined;
  writeCookie(request, reply, COOKIE, '', 0);
  const [kind = '', message = ''] = value.split(':', 2);
  if (!KINDS.has(kind) || !isMessageKey(message)) return undefined;
  return { kind: kind as Notice['kind'], message };
}
