import type { Client } from '../projects.ts';

/** Where the console receives its authorization codes (registered as the console client's only redirect URI). */
export const CONSOLE_CALLBACK_PATH = '/console/callback';

export function consoleRedirectUri(issuer: string): string {
  return `${issuer}${CONSOLE_CALLBACK_PATH}`;
}

/** The console client is the system project's client whose only redirect URI is the console's callback. */
export function isConsoleClient(client: Client, issuer: string): boolean {
  return client.redirect_uris.length === 1 && client.redirect_uris[0] === consoleRedirectUri(issuer);
}
