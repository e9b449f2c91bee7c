/**
 * The HTTP floor: a bare Fastify 5 route, in a process of its own like Gatehouse. It reads the
 * bearer header and answers a JSON object whose serialized size is FLOOR_BODY_BYTES (the bench
 * sets it to the size of Gatehouse's /auth/me answer), so the authenticated read is compared with
 * a route doing the same HTTP work, sending as many bytes of body, with no auth and no data.
 */
import Fastify from 'fastify';

const bytes = Number(process.env.FLOOR_BODY_BYTES ?? '25');
const base = JSON.stringify({ ok: true, bearer: true, pad: '' }).length;
const pad = 'x'.repeat(Math.max(0, bytes - base));

const app = Fastify({ logger: false });
app.get('/floor', async (request) => ({ ok: true, bearer: request.headers.authorization !== undefined, pad }));
app.get('/healthz', async () => ({ status: 'ok' }));

const port = Number(process.env.PORT ?? '0');
await app.listen({ host: '127.0.0.1', port });
const stop = (): void => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
