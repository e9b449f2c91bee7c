import { Type } from 'typebox';

/** RFC 6749 §5.2 error body. */
export const OAuthErrorSchema = Type.Object({ error: Type.String(), error_description: Type.Optional(Type.String()) });

export const oauthErrors = { 400: OAuthErrorSchema, 401: OAuthErrorSchema, 429: OAuthErrorSchema, 503: OAuthErrorSchema };

const text = (description: string, maxLength = 4096) => Type.Optional(Type.String({ maxLength, description }));

/**
 * A parameter of an authorization request: a repeated one is let through as a list, so that the
 * core can send invalid_request to the (checked) redirect URI instead of answering with a page.
 */
const param = (description: string, maxLength = 4096) =>
  Type.Optional(Type.Union([Type.String({ maxLength, description }), Type.Array(Type.String({ maxLength }), { maxItems: 10 })]));

/** Parameters of an authorization request (query string or form body); more may come and are ignored. */
export const AuthorizeParamsSchema = Type.Object(
  {
    client_id: text('The registered client'),
    redirect_uri: text('Exactly one of the redirect URIs registered for the client'),
    response_type: param('`code`'),
    scope: param('Space-separated scopes, e.g. `openid profile email offline_access`'),
    state: param('Returned unchanged with the answer'),
    nonce: param('Copied into the ID token', 512),
    code_challenge: param('PKCE challenge (required for public clients)'),
    code_challenge_method: param('`S256`'),
    prompt: param('`none`, `login` or `consent`'),
    max_age: param('Seconds since the last sign-in after which the user signs in again'),
    login_hint: param('Email address to prefill', 320),
    ui_locales: param('Preferred languages of the pages, e.g. `de en`', 200),
    id_token_hint: param('A previous ID token', 8192),
    response_mode: param('`query`'),
  },
  { additionalProperties: true },
);

export const TokenRequestSchema = Type.Object(
  {
    grant_type: text('authorization_code, refresh_token or client_credentials', 64),
    code: text('The authorization code'),
    redirect_uri: text('The redirect_uri of the authorization request'),
    code_verifier: text('PKCE verifier', 128),
    refresh_token: text('A refresh token'),
    scope: text('A narrower scope (refresh) or the scopes wanted (client_credentials)'),
    client_id: text('The client (public clients, or client_secret_post)', 200),
    client_secret: text('client_secret_post', 200),
  },
  { additionalProperties: true },
);

export const TokenResponseSchema = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  scope: Type.String(),
  id_token: Type.Optional(Type.String()),
  refresh_token: Type.Optional(Type.String()),
  patient: Type.Optional(Type.String({ description: 'SMART: the Patient id of the signed-in user (scope launch/patient)' })),
});

export const TokenInputSchema = Type.Object(
  {
    token: text('The token'),
    token_type_hint: text('access_token or refresh_token', 64),
    client_id: text('The client', 200),
    client_secret: text('client_secret_post', 200),
  },
  { additionalProperties: true },
);

export const EndSessionParamsSchema = Type.Object(
  {
    id_token_hint: text('An ID token this server issued to the client', 8192),
    post_logout_redirect_uri: text('One of the post-logout redirect URIs registered for the client'),
    state: text('Returned unchanged with the redirect'),
    client_id: text('The client, when no id_token_hint is given', 200),
    ui_locales: text('Preferred languages', 200),
    confirm: text('Set by the sign-out page after the user confirmed', 10),
    csrf: text('The sign-out form token', 200),
  },
  { additionalProperties: true },
);
