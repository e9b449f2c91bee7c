/**
 * The HTTP floor: the cheapest route Fastify 5 can serve on this machine, in a process of its
 * own like Gatehouse. It reads the bearer header and answers a small JSON object, so the
 * authenticated read is compared with a route doing the same HTTP work and no auth.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/floor', async (request) => ({ ok: true, bearer: request.headers.authorization !== undefined }));
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
