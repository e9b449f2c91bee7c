import net from 'node:net';

/**
 * A TCP relay in front of a real server (Redis, PostgreSQL), so one test can cut or freeze its own
 * connections. CLIENT KILL and CLIENT PAUSE would hit every test file that shares the server.
 */
export interface TcpProxy {
  /** `redis://127.0.0.1:<port>`-style address of the relay, with the target's scheme. */
  readonly url: string;
  /** Closes every relayed connection (the clients see a reset and reconnect). */
  cut(): void;
  /** Stops relaying bytes in both directions for `ms`, as a hung server would. */
  freeze(ms: number): void;
  /** The server is gone: cuts every connection and refuses new ones (reset at once) until `up()`. */
  down(): void;
  up(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  let frozenUntil = 0;
  let isDown = false;
  const defaultPort = target.protocol.startsWith('postgres') ? 5432 : 6379;

  const server = net.createServer((client) => {
    if (isDown) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(Number(target.port || defaultPort), target.hostname);
    const pair = { client, upstream };
    pairs.add(pair);
    const relay = (from: net.Socket, to: net.Socket): void => {
      from.on('data', (chunk: Buffer) => {
        const wait = frozenUntil - Date.now();
        if (wait <= 0) {
          to.write(chunk);
          return;
        }
        from.pause();
        setTimeout(() => {
          to.write(chunk);
          from.resume();
        }, wait);
      });
    };
    relay(client, upstream);
    relay(upstream, client);
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);

  const cut = (): void => {
    for (const { client, upstream } of pairs) {
      client.destroy();
      upstream.destroy();
    }
  };
  return {
    url: url.toString(),
    cut,
    freeze(ms) {
      frozenUntil = Date.now() + ms;
    },
    down() {
      isDown = true;
      cut();
    },
    up() {
      isDown = false;
    },
    async close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
