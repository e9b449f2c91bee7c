import pino, { type Logger } from 'pino';
import type { Config } from '../config.ts';

/**
 * Structured JSON logs. Credentials never reach a log line: auth headers and cookies are
 * redacted, bodies are not logged, and query strings (which may carry one-time tokens) are
 * logged by parameter name only.
 */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'gatehouse' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.refresh_token',
        '*.refreshToken',
        '*.accessToken',
        '*.access_token',
        '*.secret',
        '*.token',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req(request: { method?: string; url?: string; ip?: string; id?: string }) {
        return { id: request.id, method: request.method, url: redactQuery(request.url ?? ''), remoteAddress: request.ip };
      },
    },
  });
}

export function redactQuery(url: string): string {
  const index = url.indexOf('?');
  if (index === -1) return url;
  const names = new URLSearchParams(url.slice(index + 1)).keys();
  return `${url.slice(0, index)}?${[...names].map((name) => `${name}=…`).join('&')}`;
}
