import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Asks the kernel for a port that is free right now (a tiny race with other programs is accepted). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port from the kernel');
  return address.port;
}

export interface ChildOptions {
  readonly name: string;
  /** Arguments after `node` (the script is a .ts file, run through tsx like `npm start` does). */
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A process the bench started and owns; only it is ever signalled. */
export class Child {
  private readonly tail: string[] = [];
  private exited = false;
  readonly exit: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly process: ChildProcess,
  ) {
    const keep = (chunk: Buffer): void => {
      // The last lines are all we need to explain a crash; keeping everything would grow without bound.
      this.tail.push(chunk.toString('utf8'));
      if (this.tail.length > 50) this.tail.shift();
    };
    process.stdout?.on('data', keep);
    process.stderr?.on('data', keep);
    this.exit = new Promise((resolve) => {
      process.once('exit', (code) => {
        this.exited = true;
        resolve(code);
      });
    });
  }

  static start(options: ChildOptions): Child {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.env)) if (value !== undefined) env[key] = value;
    const child = spawn(process.execPath, [...options.args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    return new Child(options.name, child);
  }

  get pid(): number {
    if (this.process.pid === undefined) throw new Error(`${this.name} has no pid (spawn failed)`);
    return this.process.pid;
  }

  get running(): boolean {
    return !this.exited;
  }

  output(): string {
    return this.tail.join('');
  }

  /** Whole stdout+stderr is not kept; children that report a result print it as their last JSON line. */
  async lastJsonLine<T>(): Promise<T> {
    const code = await this.exit;
    const lines = this.output().trim().split('\n');
    const last = lines[lines.length - 1] ?? '';
    if (code !== 0) throw new Error(`${this.name} exited with ${String(code)}:\n${this.output()}`);
    return JSON.parse(last) as T;
  }

  /** Polls until `url` answers 200; fails early if the process dies, so a crash is not a timeout. */
  async waitReady(url: string, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`${this.name} exited before it was ready:\n${this.output()}`);
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
        await response.arrayBuffer();
        if (response.status === 200) return;
      } catch {
        // Not listening yet.
      }
      await sleep(100);
    }
    throw new Error(`${this.name} not ready at ${url} after ${timeoutMs} ms:\n${this.output()}`);
  }

  /** SIGTERM lets the server close its database cleanly (PGlite must checkpoint before the seeder opens it). */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (this.exited) return;
    this.process.kill('SIGTERM');
    const timer = sleep(timeoutMs).then(() => 'timeout' as const);
    if ((await Promise.race([this.exit, timer])) === 'timeout') {
      this.process.kill('SIGKILL');
      await this.exit;
    }
  }
}

/** Environment for children: ours minus anything that would change how they run under test. */
export function baseEnv(): Record<string, string | undefined> {
  const { NODE_OPTIONS: _nodeOptions, ...rest } = process.env;
  return { ...rest, NODE_ENV: 'production' };
}
