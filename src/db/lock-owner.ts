import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

/**
 * Who holds a data directory, written into its `gatehouse.pid`. A pid alone is fooled by pid reuse
 * (a container's server is pid 1 at every start; after a reboot any program may get the pid), so
 * the record also names the process start time and the boot, and a Unix socket the owner listens
 * on: connecting to it proves a live owner across pid namespaces (two containers sharing a volume)
 * and fails with ECONNREFUSED the instant the owner dies, even before it is reaped.
 */
export interface LockOwner {
  readonly pid: number;
  /** /proc/sys/kernel/random/boot_id; undefined where /proc is missing (macOS). */
  readonly bootId?: string | undefined;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot). */
  readonly startTime?: string | undefined;
  /** File name, in the data directory, of the socket the owner listens on. */
  readonly socket?: string | undefined;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function bootId(): string | undefined {
  return read('/proc/sys/kernel/random/boot_id')?.trim() || undefined;
}

/** State letter and start time of a process, from /proc; undefined if it has no entry there. */
function procStat(pid: number): { state: string; startTime: string } | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [state, startTime] = [fields[0], fields[19]];
  return state === undefined || startTime === undefined ? undefined : { state, startTime };
}

export function selfOwner(socket: string | undefined): LockOwner {
  return { pid: process.pid, bootId: bootId(), startTime: procStat(process.pid)?.startTime, socket };
}

/** Reads a record; the plain pid written by earlier versions is accepted. */
export function parseOwner(text: string): LockOwner | undefined {
  if (/^\s*\d+\s*$/.test(text)) return { pid: Number(text) };
  try {
    const value = JSON.parse(text) as Partial<Record<keyof LockOwner, unknown>>;
    if (!Number.isSafeInteger(value.pid) || (value.pid as number) <= 0) return undefined;
    const opt = (field: unknown): string | undefined => (typeof field === 'string' && field !== '' ? field : undefined);
    return { pid: value.pid as number, bootId: opt(value.bootId), startTime: opt(value.startTime), socket: opt(value.socket) };
  } catch {
    return undefined;
  }
}

/** 'alive' if something accepts on the socket, 'dead' if the socket is there and nothing listens, else 'unknown'. */
export function probeSocket(path: string, timeoutMs = 1000): Promise<'alive' | 'dead' | 'unknown'> {
  return new Promise((resolve) => {
    const socket = connect({ path });
    const done = (answer: 'alive' | 'dead' | 'unknown'): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done('unknown'));
    socket.once('connect', () => done('alive'));
    // A missing file proves nothing (someone may have deleted it under a live owner): the pid check decides then.
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED' ? 'dead' : 'unknown'));
  });
}

/**
 * Whether the process a record names still runs, without the socket. `self` answers for our own
 * pid: another start of this very process cannot have written the file, so a record naming our
 * pid is a previous life (container restart) unless this process holds the directory itself.
 */
export function pidAlive(owner: LockOwner, self: () => boolean): boolean {
  const boot = bootId();
  if (owner.bootId !== undefined && boot !== undefined && owner.bootId !== boot) return false;
  if (owner.pid === process.pid) return self();
  const stat = procStat(owner.pid);
  if (stat !== undefined) {
    // Z: killed but not yet reaped by its parent; X: being removed.
    if (stat.state === 'Z' || stat.state === 'X') return false;
    return owner.startTime === undefined || owner.startTime === stat.startTime;
  }
  // No /proc entry: gone, or hidden from us (hidepid), which the signal check tells apart.
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
