import { ErrorCode, GatehouseError } from '../core/errors.ts';

/** Seconds a client is told to wait (Retry-After) while the database is out of reach. */
export const UNAVAILABLE_RETRY_AFTER = 2;

/**
 * How a failed database call relates to the connection it ran on:
 * - `lost`: the connection is dead or unusable (refused, reset, terminated by the server, read
 *   timeout); it must never serve another statement.
 * - `busy`: the database is there but answered too late (statement timeout, no free connection in
 *   time, too many connections); the connection, if any, is still good.
 * - undefined: an ordinary SQL error (constraint, syntax, ...), left as it is.
 */
export type OutageKind = 'lost' | 'busy';

// Socket errors of a connection that cannot be opened or was cut.
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// SQLSTATEs: 57P01 admin_shutdown (pg_terminate_backend, fast shutdown), 57P02 crash_shutdown,
// 57P03 cannot_connect_now (starting up, shutting down, in recovery); class 08 is connection exceptions.
const LOST_SQLSTATES = new Set(['57P01', '57P02', '57P03']);
// 57014 query_canceled (statement_timeout), 53300 too_many_connections.
const BUSY_SQLSTATES = new Set(['57014', '53300']);
// node-postgres raises these as plain Errors without a code.
const LOST_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Query read timeout',
  'Connection terminated due to connection timeout',
];
const BUSY_MESSAGES = ['timeout exceeded when trying to connect'];

export function outageKind(error: unknown): OutageKind | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code) || LOST_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return 'lost';
    if (BUSY_SQLSTATES.has(code)) return 'busy';
  }
  if (typeof message === 'string') {
    if (LOST_MESSAGES.some((text) => message.startsWith(text))) return 'lost';
    if (BUSY_MESSAGES.some((text) => message.startsWith(text))) return 'busy';
  }
  return undefined;
}

/**
 * The one place where a connection-level failure becomes `ErrorCode.Unavailable` (rendered 503 +
 * Retry-After by every contract); any other error is answered unchanged. The driver's error stays
 * as `cause`, for the log only.
 */
export function asUnavailable(error: unknown): unknown {
  if (error instanceof GatehouseError || outageKind(error) === undefined) return error;
  const unavailable = new GatehouseError(ErrorCode.Unavailable, 'The database cannot be reached', {
    retryAfter: UNAVAILABLE_RETRY_AFTER,
  });
  return Object.assign(unavailable, { cause: error });
}
