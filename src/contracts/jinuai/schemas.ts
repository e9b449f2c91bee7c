import { Type } from 'typebox';
import { MAX_DIRECTORY_PAGE } from '../../core/directory.ts';

const nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

/** `x-form`: read from form fields (FastAPI `Form()`), see validation.ts. */
export const RegisterForm = Type.Object(
  {
    name: Type.String({ minLength: 8, maxLength: 40 }),
    account: Type.String({ maxLength: 32, description: 'Handle, unique in the project; stored lower-cased.' }),
    email: Type.String({ format: 'email', maxLength: 255, description: 'Stored lower-cased.' }),
    password: Type.String({ maxLength: 1024 }),
    password_confirm: Type.String({ maxLength: 1024 }),
  },
  { title: 'Body_register_api_v1_auth_register_post', 'x-form': true },
);

export const LoginRequest = Type.Object(
  { email: Type.String({ maxLength: 255 }), password: Type.String({ maxLength: 1024 }) },
  { title: 'LoginRequest' },
);

/** FastAPI's OAuth2PasswordRequestForm, what Swagger UI and OAuth2 tooling send. */
export const OAuth2PasswordForm = Type.Object(
  {
    grant_type: Type.Optional(Type.String({ pattern: '^password$' })),
    username: Type.String({ maxLength: 255, description: 'The email address.' }),
    password: Type.String({ maxLength: 1024 }),
    scope: Type.Optional(Type.String({ default: '' })),
    client_id: Type.Optional(Type.String()),
    client_secret: Type.Optional(Type.String()),
  },
  { title: 'Body_login_api_v1_auth_login_post', 'x-form': true },
);

export const LoginBody = Type.Union([LoginRequest, OAuth2PasswordForm]);

export const TokenPairResponse = Type.Object(
  { access_token: Type.String(), refresh_token: Type.String(), token_type: Type.Literal('bearer') },
  { title: 'Token' },
);

export const RefreshRequest = Type.Object({ refresh_token: Type.String({ maxLength: 512 }) }, { title: 'RefreshTokenRequest' });

export const AccessTokenResponse = Type.Object(
  {
    access_token: Type.String(),
    token_type: Type.Literal('bearer'),
    refresh_token: Type.String({ description: 'The rotated refresh token: the one sent is spent, use this one next time.' }),
  },
  { title: 'AccessToken' },
);

export const UpdateRequest = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 8, maxLength: 40 })),
    bio: Type.Optional(nullable(Type.String({ maxLength: 200 }))),
    dob: Type.Optional(nullable(Type.String({ format: 'date' }))),
    phone: Type.Optional(nullable(Type.String({ maxLength: 20 }))),
    avatar_photo_id: Type.Optional(nullable(Type.String({ format: 'uuid' }))),
    account: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  },
  { title: 'UserUpdate' },
);

export const RecoverRequest = Type.Object(
  { email: Type.String({ maxLength: 255 }), password: Type.String({ maxLength: 1024 }) },
  { title: 'RecoverRequest' },
);

/** Credentials in the body, or no body and a bearer token. */
export const RecoverBody = Type.Union([RecoverRequest, Type.Null()]);

export const LookupParams = Type.Object({ account: Type.String({ maxLength: 255 }) });

export const SearchQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 255, description: 'Prefix of an account handle, email or name (case-insensitive).' }),
  skip: Type.Integer({ minimum: 0, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: MAX_DIRECTORY_PAGE, default: 20 }),
});

/** The response schema is the allow-list of what leaves the server: never a password or a hash. */
export const UserPublic = Type.Object(
  {
    name: Type.String(),
    email: Type.String({ format: 'email' }),
    account: Type.Union([Type.String(), Type.Null()], {
      description: 'Null for a user who registered through another API and has no handle yet.',
    }),
    id: Type.String({ format: 'uuid' }),
    roles: Type.Union([Type.Literal('user'), Type.Literal('admin')], { default: 'user' }),
    is_active: Type.Boolean({ default: true }),
    is_verified: Type.Boolean({ default: true }),
    is_superuser: Type.Boolean({ default: false }),
    bio: Type.Union([Type.String(), Type.Null()]),
    dob: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
    phone: Type.Union([Type.String(), Type.Null()]),
    avatar_photo_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    deleted_at: Type.Union([Type.String({ format: 'date' }), Type.Null()], { description: 'The day a scheduled deletion takes effect.' }),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { title: 'UserPublic', description: 'Public user schema (excludes sensitive information).' },
);

export const UsersPublic = Type.Object({ data: Type.Array(UserPublic), count: Type.Integer() }, { title: 'UsersPublic' });

export const Message = Type.Object({ message: Type.String() }, { title: 'Message' });

const HttpError = Type.Object({ detail: Type.String() }, { title: 'HTTPError' });
const ValidationError = Type.Object(
  {
    detail: Type.Array(
      Type.Object({
        type: Type.String(),
        loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
        msg: Type.String(),
        input: Type.Unknown(),
        ctx: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      }),
    ),
  },
  { title: 'HTTPValidationError' },
);

export const errorResponses = { 400: HttpError, 401: HttpError, 404: HttpError, 422: ValidationError, 500: HttpError };
