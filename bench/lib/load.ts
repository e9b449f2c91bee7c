import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './proc.ts';

export type Headers = Readonly<Record<string, string>>;
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface LoadSpec {
  readonly baseUrl: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly headers?: Headers;
  /** A fixed body; `prepare` overrides it per request. */
  readonly body?: string;
  /** Called before every request (unique emails, a fresh refresh token, a random user). */
  readonly prepare?: () => { readonly body?: string; readonly headers?: Headers };
  readonly onResponse?: (status: number, body: string, headers: ResponseHeaders) => void;
  /** Requests per second over all connections; unset = as fast as answers come. */
  readonly overallRate?: number;
  readonly timeoutSeconds?: number;
  /** Count 503 answers with and without Retry-After (costs a body copy per response, so only when asked). */
  readonly checkRetryAfter?: boolean;
}

export interface LoadResult {
  readonly durationSeconds: number;
  readonly requests: number;
  /** All answers per second. */
  readonly rps: number;
  /** 2xx answers per second: the throughput that counts for targets. */
  readonly okRps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly non2xx: number;
  /** Socket errors other than timeouts (resets, refused connections). */
  readonly socketErrors: number;
  readonly timeouts: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  readonly retryAfter?: { readonly with: number; readonly without: number };
}

/** The serializable part of a LoadSpec, for a load generator in another process. */
export interface StaticLoadSpec extends Omit<LoadSpec, 'prepare' | 'onResponse'> {
  /** Bodies used one per request, in turn or (pick: 'random') at random. */
  readonly bodies?: readonly string[];
  readonly pick?: 'cycle' | 'random';
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const retryAfter = { with: 0, without: 0 };
  const watch = spec.checkRetryAfter === true;
  const userOnResponse = spec.onResponse;
  const onResponse =
    userOnResponse === undefined && !watch
      ? undefined
      : (status: number, body: string, _context: object, raw: ResponseHeaders | undefined): void => {
          const headers = raw ?? {};
          if (watch && status === 503) {
            // autocannon keeps header names as the server sent them.
            if (headers['retry-after'] === undefined && headers['Retry-After'] === undefined) retryAfter.without += 1;
            else retryAfter.with += 1;
          }
          userOnResponse?.(status, body, headers);
        };
  const prepare = spec.prepare;
  const request: autocannon.Request = {
    method: spec.method,
    path: spec.path,
    ...(spec.body !== undefined && { body: spec.body }),
    ...(prepare !== undefined && {
      setupRequest: (req: autocannon.Request): autocannon.Request => {
        const next = prepare();
        return {
          ...req,
          ...(next.body !== undefined && { body: next.body }),
          ...(next.headers !== undefined && { headers: { ...req.headers, ...next.headers } }),
        };
      },
    }),
    ...(onResponse !== undefined && { onResponse }),
  };
  const result = await autocannon({
    url: spec.baseUrl,
    connections: spec.connections,
    duration: spec.durationSeconds,
    timeout: spec.timeoutSeconds ?? 10,
    headers: { ...(spec.method === 'POST' && { 'content-type': 'application/json' }), ...spec.headers },
    requests: [request],
    ...(spec.overallRate !== undefined && { overallRate: spec.overallRate }),
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
  const duration = result.duration > 0 ? result.duration : spec.durationSeconds;
  const round = (value: number): number => Math.round(value * 10) / 10;
  return {
    durationSeconds: round(duration),
    requests: result.requests.total,
    rps: round(result.requests.total / duration),
    okRps: round(result['2xx'] / duration),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    socketErrors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    statusCodes,
    ...(watch && { retryAfter }),
  };
}

/** A load-generator process kept for the whole bench (load-child.ts): no start-up cost per segment. */
export class LoadChild {
  private readonly waiting = new Map<number, { resolve: (result: LoadResult) => void; reject: (error: Error) => void }>();
  private nextId = 0;

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const reply = JSON.parse(line) as { id: number; result?: LoadResult; error?: string };
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.result !== undefined) waiter?.resolve(reply.result);
      else waiter?.reject(new Error(`load generator: ${reply.error ?? 'no result'}`));
    });
    child.once('exit', (code) => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error(`load generator exited with ${String(code)}`));
      this.waiting.clear();
    });
  }

  static start(): LoadChild {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/load-child.ts'], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    return new LoadChild(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  run(spec: StaticLoadSpec): Promise<LoadResult> {
    this.nextId += 1;
    const id = this.nextId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.stdin?.write(`${JSON.stringify({ id, spec })}\n`);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.stdin?.end();
    this.child.kill('SIGTERM');
    await exited;
  }
}
