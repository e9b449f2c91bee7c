import { randomUUID } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { SIGNING_ALG, type KeyStore } from '../keys.ts';
import type { UserClaims } from './claims.ts';

export interface IdTokenInput {
  readonly subject: string;
  readonly clientId: string;
  readonly nonce: string | null;
  readonly authTime: Date;
  readonly amr: readonly string[];
  /** The browser (SSO) session: RP-initiated logout names it. */
  readonly sid: string;
  /** Claims the granted scopes release (email, name, fhirUser, ...). */
  readonly claims: UserClaims;
  readonly ttlSeconds: number;
}

/**
 * The OpenID provider's other JWTs, signed with the same ES256 keys as the access tokens (one
 * JWKS): ID tokens, access tokens of clients acting for themselves (client_credentials), and the
 * checks of tokens presented back to us (id_token_hint, introspection).
 */
export class ProviderJwts {
  constructor(
    private readonly keys: KeyStore,
    private readonly issuer: string,
  ) {}

  async idToken(input: IdTokenInput): Promise<string> {
    const { kid, key } = await this.keys.signingKey();
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({
      ...input.claims,
      auth_time: Math.floor(input.authTime.getTime() / 1000),
      amr: [...input.amr],
      sid: input.sid,
      ...(input.nonce !== null && { nonce: input.nonce }),
    })
      .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setSubject(input.subject)
      .setAudience(input.clientId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + input.ttlSeconds)
      .sign(key);
  }

  /** A client_credentials access token: the client is the subject; no session, no user. */
  async clientToken(input: {
    clientId: string;
    projectId: string;
    scope: string;
    ttlSeconds: number;
  }): Promise<{ token: string; jti: string; exp: number }> {
    const { kid, key } = await this.keys.signingKey();
    const iat = Math.floor(Date.now() / 1000);
    const jti = randomUUID();
    const exp = iat + input.ttlSeconds;
    const token = await new SignJWT({ client_id: input.clientId, project_id: input.projectId, scope: input.scope })
      .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: 'at+jwt' })
      .setIssuer(this.issuer)
      .setSubject(input.clientId)
      .setAudience(input.clientId)
      .setJti(jti)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(key);
    return { token, jti, exp };
  }

  /**
   * The payload of a JWT of this type that we signed (signature, issuer, algorithm), or undefined. `expired: 'allow'`
   * accepts an expired one, as an id_token_hint may be (OpenID RP-Initiated Logout §2).
   */
  async inspect(token: string, options: { expired?: 'allow'; typ: 'JWT' | 'at+jwt' }): Promise<JWTPayload | undefined> {
    try {
      const header = decodeProtectedHeader(token);
      // The type keeps an ID token from passing for an access token and the other way round.
      if (header.alg !== SIGNING_ALG || typeof header.kid !== 'string' || header.typ !== options.typ) return undefined;
      const key = await this.keys.verificationKey(header.kid);
      if (key === undefined) return undefined;
      const { payload } = await jwtVerify(token, key, {
        issuer: this.issuer,
        algorithms: [SIGNING_ALG],
        ...(options.expired === 'allow' && { currentDate: new Date(0) }),
      });
      return payload;
    } catch {
      return undefined;
    }
  }
}
