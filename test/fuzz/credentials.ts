import type { FastifyInstance } from 'fastify';
import { ADMIN_TOKEN } from '../helpers/app.ts';

/** Which error style (and so which contract) a path belongs to. */
export type Style = 'ovok' | 'pixelmover' | 'jinuai' | 'admin' | 'other';

const PASSWORD = 'Fuzz-Corr3ct-Horse-Battery';

/**
 * Valid credentials of one user per contract (and the admin token), so that hostile bodies
 * also reach the handlers behind authentication. The fuzzer logs out, deletes accounts and
 * changes passwords along the way: `renew` registers fresh users.
 */
export class FuzzCredentials {
  private headers: Partial<Record<Style, Record<string, string>>> = { admin: { authorization: `Bearer ${ADMIN_TOKEN}` } };
  private serial = 0;

  constructor(
    private readonly app: FastifyInstance,
    private readonly clientId: string,
  ) {}

  for(style: Style): Record<string, string> {
    return this.headers[style] ?? {};
  }

  async renew(): Promise<void> {
    this.serial += 1;
    const tag = `${process.pid}.${Date.now()}.${this.serial}`;
    const ovok = await this.app.inject({
      method: 'POST',
      url: '/auth/register',
      payload: { email: `fuzz.ovok.${tag}@example.com`, password: PASSWORD, clientId: this.clientId, name: 'Fuzz', surname: 'Ovok' },
    });
    const pixelmover = await this.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { name: 'Fuzz', email: `fuzz.pm.${tag}@example.com`, password: PASSWORD, password_confirmation: PASSWORD },
    });
    const jinuEmail = `fuzz.jinu.${tag}@example.com`;
    await this.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        name: 'Fuzz Jinu Tester',
        account: `fz${tag.replace(/\D/g, '')}`.slice(0, 30),
        email: jinuEmail,
        password: PASSWORD,
        password_confirm: PASSWORD,
      }).toString(),
    });
    const jinuai = await this.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: jinuEmail, password: PASSWORD } });
    const ovokToken = ovok.statusCode === 200 ? ovok.json<{ accessToken: string }>().accessToken : undefined;
    const pmKey = pixelmover.statusCode === 201 ? pixelmover.json<{ data: { api_key: { key: string } } }>().data.api_key.key : undefined;
    const jinuToken = jinuai.statusCode === 200 ? jinuai.json<{ access_token?: string }>().access_token : undefined;
    this.headers = {
      admin: { authorization: `Bearer ${ADMIN_TOKEN}` },
      ...(ovokToken && { ovok: { authorization: `Bearer ${ovokToken}` } }),
      ...(pmKey && { pixelmover: { authorization: `Bearer ${pmKey}` } }),
      ...(jinuToken && { jinuai: { authorization: `Bearer ${jinuToken}` } }),
    };
  }
}

/** Cases and answers per contract, for the fuzz report. */
export class FuzzStats {
  readonly statuses = new Map<Style, Map<number, number>>();

  record(style: Style, status: number): void {
    const counts = this.statuses.get(style) ?? new Map<number, number>();
    counts.set(status, (counts.get(status) ?? 0) + 1);
    this.statuses.set(style, counts);
  }

  cases(style: Style): number {
    return [...(this.statuses.get(style)?.values() ?? [])].reduce((sum, n) => sum + n, 0);
  }

  serverErrors(style: Style): number {
    return [...(this.statuses.get(style)?.entries() ?? [])].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0);
  }

  /** `200×12 401×300 422×5000 …`, ordered by status. */
  summary(style: Style): string {
    return [...(this.statuses.get(style)?.entries() ?? [])]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}×${n}`)
      .join(' ');
  }
}
