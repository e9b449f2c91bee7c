import { EventEmitter } from 'node:events';

/** Security-relevant things that happened; the audit log and metrics listen. Never carries a secret. */
export interface SecurityEvent {
  readonly action: string;
  readonly outcome: 'success' | 'failure';
  readonly projectId?: string | undefined;
  readonly userId?: string | undefined;
  readonly clientId?: string | undefined;
  readonly sessionId?: string | undefined;
  readonly remoteAddress?: string | undefined;
  readonly userAgent?: string | undefined;
  /** Non-secret detail: a reason code, the email tried on a failed login, ... */
  readonly detail?: Readonly<Record<string, unknown>>;
}

export class SecurityEvents {
  private readonly emitter = new EventEmitter();

  on(listener: (event: SecurityEvent) => void | Promise<void>): void {
    this.emitter.on('event', (event: SecurityEvent) => {
      // A failing listener (say, the audit writer) must never fail the request that emitted.
      Promise.resolve()
        .then(() => listener(event))
        .catch((error: unknown) => this.emitter.emit('listener-error', error));
    });
  }

  onListenerError(handler: (error: unknown) => void): void {
    this.emitter.on('listener-error', handler);
  }

  emit(event: SecurityEvent): void {
    this.emitter.emit('event', event);
  }
}
