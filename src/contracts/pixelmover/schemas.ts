import { Type } from 'typebox';

/**
 * PixelMover's request and response shapes, for the OpenAPI document and as response
 * allow-lists. Request bodies are not checked against these: Laravel's rules are
 * (validation.ts), so that every error reads as Laravel's.
 */
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const RegisterBody = Type.Object(
  {
    name: Type.String({ maxLength: 255 }),
    email: Type.String({ format: 'email' }),
    password: Type.String({ minLength: 8 }),
    company: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    timezone: Type.Optional(Nullable(Type.String())),
    password_confirmation: Type.String({ minLength: 8 }),
  },
  { title: 'RegisterRequest' },
);

export const LoginBody = Type.Object(
  {
    email: Type.String({ format: 'email' }),
    password: Type.String(),
    remember: Type.Optional(Nullable(Type.Boolean({ description: 'optional remember flag for session lifetime' }))),
  },
  { title: 'LoginRequest' },
);

export const TwoFactorBody = Type.Object(
  { challenge: Type.String(), code: Type.Optional(Type.String()), recovery_code: Type.Optional(Type.String()), remember: Type.Optional(Nullable(Type.Boolean())) },
  { title: 'TwoFactorChallengeRequest' },
);

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ maxLength: 255 }),
    permissions: Type.Optional(Nullable(Type.Array(Type.String()))),
    expires_at: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
  },
  { title: 'CreateApiKeyRequest' },
);

export const KeyParams = Type.Object({ id: Type.String({ description: 'API key id (integer)' }) });

const User = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  email: Type.String(),
  company: Nullable(Type.String()),
  timezone: Type.String(),
  credits: Type.Number(),
  role: Type.String(),
  plan: Type.String(),
  created_at: Type.String(),
  last_login_at: Nullable(Type.String()),
});

const Subscription = Type.Object({ plan: Type.String(), credits: Type.Number(), expires_at: Nullable(Type.String()) });
const SessionInfo = Type.Object({ remember: Type.Boolean(), expires_at: Type.String() });

export const ApiKeyListed = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  masked_key: Type.String(),
  key: Type.String(),
  is_primary: Type.Boolean(),
  is_active: Type.Boolean(),
  permissions: Nullable(Type.Array(Type.String())),
  last_used_at: Nullable(Type.String()),
  expires_at: Nullable(Type.String()),
  created_at: Type.String(),
});

export const RegisterResponse = Type.Object({
  success: Type.Boolean(),
  data: Type.Object({
    user: User,
    api_key: Type.Object({ key: Type.String(), name: Type.String(), is_primary: Type.Boolean(), created_at: Type.String() }),
    session: SessionInfo,
    subscription: Subscription,
  }),
});

export const LoginResponse = Type.Object({
  success: Type.Boolean(),
  data: Type.Object({ user: User, session: SessionInfo, subscription: Subscription }),
});

export const TwoFactorResponse = Type.Object({
  success: Type.Boolean(),
  data: Type.Object({ two_factor: Type.Boolean(), challenge: Type.String() }),
});

export const MeResponse = Type.Object({ success: Type.Boolean(), data: Type.Object({ user: User, subscription: Subscription }) });

export const ApiKeyListResponse = Type.Object({ success: Type.Boolean(), data: Type.Array(ApiKeyListed) });
export const ApiKeyResponse = Type.Object({ success: Type.Boolean(), data: ApiKeyListed });
export const MessageResponse = Type.Object({ success: Type.Boolean(), message: Type.String() });

const ErrorMessage = Type.Object({ message: Type.String() });
const ValidationError = Type.Object({
  message: Type.String({ description: 'Errors overview.' }),
  errors: Type.Record(Type.String(), Type.Array(Type.String()), { description: 'A detailed description of each field that failed validation.' }),
});

export const errorResponses = {
  401: ErrorMessage,
  404: ErrorMessage,
  422: ValidationError,
  429: ErrorMessage,
  500: ErrorMessage,
  503: ErrorMessage,
};
