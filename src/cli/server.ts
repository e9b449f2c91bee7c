import type { Config } from '../config.ts';
import { buildApp } from '../http/app.ts';

/** Starts the server and shuts it down cleanly on SIGINT/SIGTERM. */
export async function startServer(config: Config): Promise<void> {
  const app = await buildApp(config);
  if (config.adminToken === undefined) app.log.info('GATEHOUSE_ADMIN_TOKEN is not set: the admin API is off');
  // Here rather than in the core: CLI commands print JSON on stdout, where the logger writes too.
  if (config.secretKey === undefined) {
    app.log.warn(
      'GATEHOUSE_SECRET_KEY is not set: signing keys and MFA secrets are encrypted with a key kept in the same database, so a copy of the database can mint tokens',
    );
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  await app.listen({ host: config.host, port: config.port });
}
