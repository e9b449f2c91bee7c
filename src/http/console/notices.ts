import type { FastifyReply, FastifyRequest } from 'fastify';
import { readCookie, writeCookie } from '../pages/cookies.ts';

/** A message above a console page: errors announced at once (role=alert), the others politely. */
export interface ConsoleNotice {
  readonly kind: 'success' | 'info' | 'error';
  readonly text: string;
}

/** Every message an action may leave for the next page (post/redirect/get). Only the key travels in the cookie. */
export const MESSAGES = {
  disabled: 'The user was disabled and their sessions ended.',
  enabled: 'The user was enabled.',
  verified: 'The email address is marked as verified.',
  sessionsEnded: 'Every session of the user was ended.',
  sessionEnded: 'The session was ended.',
  unlocked: 'The user was unlocked: they can sign in again.',
  resetSent: 'A password-reset email is on its way.',
  mfaReset: 'Two-step verification was reset.',
  deleted: 'The user was deleted.',
  deleteMismatch: 'Type the email address exactly to delete the user.',
  projectSaved: 'The project settings were saved.',
  keysRotated: 'New tokens are signed with a new key; the old key keeps verifying until its tokens expire.',
  forbidden: 'Your role does not allow this.',
} as const;

export type MessageKey = keyof typeof MESSAGES;

const COOKIE = 'gatehouse-console-flash';
const KINDS = new Set(['success', 'info', 'error']);

export function flashConsole(request: FastifyRequest, reply: FastifyReply, kind: ConsoleNotice['kind'], message: MessageKey): void {
  writeCookie(request, reply, COOKIE, `${kind}:${message}`, { maxAge: 60, sameSite: 'strict' });
}

/** The notice kept by flashConsole, cleared as it is read. */
export function takeConsoleFlash(request: FastifyRequest, reply: FastifyReply): ConsoleNotice | undefined {
  const value = readCookie(request, COOKIE);
  if (value === undefined) return undefined;
  writeCookie(request, reply, COOKIE, '', { maxAge: 0, sameSite: 'strict' });
  const [kind = '', key = ''] = value.split(':', 2);
  if (!KINDS.has(kind) || !Object.hasOwn(MESSAGES, key)) return undefined;
  return { kind: kind as ConsoleNotice['kind'], text: MESSAGES[key as MessageKey] };
}
