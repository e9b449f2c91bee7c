import { Type } from 'typebox';

/**
 * PixelMover's response shapes, for the OpenAPI document and as response allow-lists. Request
 * bodies are described from their Laravel rules (framework/rule-schema.ts), which judge them.
 */
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

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
  errors: Type.Record(Type.String(), Type.Array(Type.String()), {
    description: 'A detailed description of each field that failed validation.',
  }),
});

export const errorResponses = {
  401: ErrorMessage,
  404: ErrorMessage,
  422: ValidationError,
  429: ErrorMessage,
  500: ErrorMessage,
  503: ErrorMessage,
};
