import { SignJWT, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { ErrorCode, GatehouseError } from './errors.ts';
import { SIGNING_ALG, type KeyStore } from './keys.ts';

export interface AccessClaims {
  readonly sub: string;
  /** The client application the token was issued to. */
  readonly aud: string;
  readonly iat: number;
  readonly exp: number;
  readonly sid: string;
  readonly project_id: string;
  /** FHIR-style reference of the user's profile, e.g. `Patient/<uuid>`. */
  readonly profile: string;
  /** OAuth scopes granted (tokens of the OpenID provider; contract tokens carry none). */
  readonly scope?: string;
}

export interface IssueInput {
  readonly userId: string;
  readonly clientId: string;
  readonly sessionId: string;
  readonly projectId: string;
  readonly profile: string;
  readonly ttlSeconds: number;
  readonly scope?: string;
}

/** Access tokens: short-lived ES256 JWTs any resource server can check against our JWKS. */
export class AccessTokens {
  constructor(
    private readonly keys: KeyStore,
    private readonly issuer: string,
  ) {}

  async issue(input: IssueInput): Promise<{ token: string; claims: AccessClaims }> {
    const { kid, key } = await this.keys.signingKey();
    const iat = Math.floor(Date.now() / 1000);
    const claims: AccessClaims = {
      sub: input.userId,
      aud: input.clientId,
      iat,
      exp: iat + input.ttlSeconds,
      sid: input.sessionId,
      project_id: input.projectId,
      profile: input.profile,
      ...(input.scope !== undefined && { scope: input.scope }),
    };
    const extra = input.scope === undefined ? {} : { scope: input.scope, client_id: input.clientId };
    const token = await new SignJWT({ sid: claims.sid, project_id: claims.project_id, profile: claims.profile, ...extra })
      .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: 'at+jwt' })
      .setIssuer(this.issuer)
      .setSubject(claims.sub)
      .setAudience(claims.aud)
      .setIssuedAt(iat)
      .setExpirationTime(claims.exp)
      .sign(key);
    return { token, claims };
  }

  /** Signature, issuer, algorithm and lifetime; throws Unauthenticated for anything else. */
  async verify(token: string): Promise<AccessClaims> {
    let payload: JWTPayload;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== SIGNING_ALG || typeof header.kid !== 'string') throw unauthenticated('bad header');
      const key = await this.keys.verificationKey(header.kid);
      if (key === undefined) throw unauthenticated('unknown key');
      ({ payload } = await jwtVerify(token, key, { issuer: this.issuer, algorithms: [SIGNING_ALG] }));
    } catch (error) {
      // jose throws for every malformed, tampered, expired or wrongly signed token alike.
      throw error instanceof GatehouseError ? error : unauthenticated('invalid token');
    }
    const { sub, aud, iat, exp, sid, project_id: projectId, profile, scope } = payload as JWTPayload & Record<string, unknown>;
    if (
      typeof sub !== 'string' ||
      typeof aud !== 'string' ||
      typeof iat !== 'number' ||
      typeof exp !== 'number' ||
      typeof sid !== 'string' ||
      typeof projectId !== 'string' ||
      typeof profile !== 'string'
    ) {
      throw unauthenticated('missing claims');
    }
    return { sub, aud, iat, exp, sid, project_id: projectId, profile, ...(typeof scope === 'string' && { scope }) };
  }
}

function unauthenticated(reason: string): GatehouseError {
  return new GatehouseError(ErrorCode.Unauthenticated, `Invalid access token: ${reason}`);
}
