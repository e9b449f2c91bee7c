/** Who is calling, as established by a bearer token, a session cookie or an API key. */
export interface Principal {
  readonly userId: string;
  readonly projectId: string;
  readonly sessionId: string | null;
  readonly clientId: string | null;
  readonly via: 'bearer' | 'cookie' | 'api_key';
  /** Set for API-key callers. */
  readonly apiKeyId?: number;
  /** An API key limited to some permissions: it may not manage the account's credentials. */
  readonly restricted?: boolean;
  /** OAuth scopes of a bearer token of the OpenID provider (userinfo needs `openid`). */
  readonly scope?: string;
}
