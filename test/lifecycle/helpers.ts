import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { SMTPServer } from 'smtp-server';
import type { FastifyInstance } from 'fastify';
import { ADMIN_TOKEN, json } from '../helpers/app.ts';

export interface ReceivedMail {
  readonly to: string[];
  readonly raw: string;
  /** The raw message with quoted-printable soft breaks and escapes undone (enough to find links). */
  readonly decoded: string;
}

export interface MailSink {
  readonly url: string;
  readonly received: ReceivedMail[];
  /** While > 0, each delivery is refused with a 451 (and the count goes down). */
  failNext: number;
  waitFor(to: string, predicate?: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

function decodeQuotedPrintable(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_whole, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** A real SMTP server on 127.0.0.1 (random port) that keeps what it receives. */
export async function startMailSink(): Promise<MailSink> {
  const received: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const sink: MailSink = {
    url: '',
    received,
    failNext: 0,
    async waitFor(to, predicate = () => true, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = [...received].reverse().find((mail) => mail.to.includes(to.toLowerCase()) && predicate(mail));
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no email to ${to} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const wake = (): void => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
          setTimeout(wake, 50);
        });
      }
    },
    close: async () => undefined,
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (sink.failNext > 0) {
          sink.failNext -= 1;
          callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()), raw, decoded: decodeQuotedPrintable(raw) });
        for (const wake of [...waiters]) wake();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return Object.assign(sink, {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** The first link in a message whose path contains `marker`. */
export function linkIn(mail: { decoded: string } | { text: string }, marker: string): URL {
  const body = 'decoded' in mail ? mail.decoded : mail.text;
  const match = new RegExp(`https?://[^\\s"<>]*${marker}[^\\s"<>]*`).exec(body);
  if (match === null) throw new Error(`no ${marker} link in:\n${body}`);
  return new URL(match[0].replace(/&amp;/g, '&'));
}

export function admin(app: FastifyInstance, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) {
  return app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    ...(payload !== undefined && { payload: payload as object }),
  });
}

/** A new project (with the given settings) and its client application, so tests do not share settings. */
export async function newProject(
  app: FastifyInstance,
  settings: Record<string, unknown> = {},
): Promise<{ projectId: string; clientId: string }> {
  const project = json<{ id: string }>(
    await admin(app, 'POST', '/admin/projects', { name: `Lifecycle ${Math.random().toString(36).slice(2, 8)}`, settings }),
  );
  const client = json<{ id: string }>(await admin(app, 'POST', `/admin/projects/${project.id}/clients`, { name: 'App' }));
  return { projectId: project.id, clientId: client.id };
}

export interface OutboxItem {
  to: string;
  kind: string;
  subject: string;
  text: string;
  status: string;
  attempts: number;
  lastError: string | null;
}

/** Polls GET /admin/outbox until a message to `to` matching `predicate` shows up. */
export async function outboxFor(
  app: FastifyInstance,
  to: string,
  predicate: (item: OutboxItem) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<OutboxItem> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await admin(app, 'GET', `/admin/outbox?to=${encodeURIComponent(to)}`);
    const found = json<{ items: OutboxItem[] }>(response).items.find(predicate);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no outbox email to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A stand-in for the Pwned Passwords range API on 127.0.0.1; `breached` are SHA-1 hex digests (upper case). */
export async function startFakePwnedPasswords(
  breached: readonly string[],
): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const prefix = /^\/range\/([0-9A-F]{5})$/.exec(request.url ?? '')?.[1];
    if (prefix === undefined) {
      response.writeHead(404).end();
      return;
    }
    const lines = breached.filter((hash) => hash.startsWith(prefix)).map((hash) => `${hash.slice(5)}:42`);
    lines.push('0000000000000000000000000000000000A:0');
    response.writeHead(200, { 'content-type': 'text/plain' }).end(lines.join('\r\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
