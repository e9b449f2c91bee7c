import { Type, type Static } from 'typebox';

const Email = Type.String({ format: 'email', maxLength: 254, description: "The user's email address." });
const ClientId = Type.String({ minLength: 1, maxLength: 100, description: 'The client ID from the ClientApplication resource.' });

export const RegisterBody = Type.Object({
  email: Email,
  password: Type.String({ minLength: 8, maxLength: 256 }),
  clientId: ClientId,
  type: Type.Optional(
    Type.Union([Type.Literal('Patient'), Type.Literal('Practitioner'), Type.Literal('RelatedPerson')], {
      description: 'Profile type; Patient when absent. The project decides which types may self-register.',
    }),
  ),
  name: Type.String({ minLength: 1, maxLength: 200, description: 'The name of the user registering.' }),
  surname: Type.String({ minLength: 1, maxLength: 200, description: 'The surname of the user registering.' }),
});
export type RegisterBody = Static<typeof RegisterBody>;

export const LoginBody = Type.Object({
  email: Email,
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  clientId: ClientId,
});

const Reference = Type.Object({
  reference: Type.String({ description: 'Reference of the resource.' }),
  display: Type.String({ description: 'Display name of the resource.' }),
});

export const RegisterLoginResponse = Type.Object(
  {
    accessToken: Type.String({ description: 'Bearer access token. Expires in 1 hour.' }),
    refreshToken: Type.String({ description: 'Refresh token.' }),
    expiresIn: Type.Integer({ description: 'Token expiration.' }),
    project: Reference,
    profile: Reference,
  },
  { title: 'ResponseRegisterLoginDto' },
);

export const RefreshBody = Type.Object({ refresh_token: Type.String({ minLength: 1, maxLength: 512 }) });

export const RefreshResponse = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.String(),
  expires_in: Type.Integer(),
});

export const SessionView = Type.Object({
  id: Type.String(),
  lastUpdated: Type.String({ format: 'date-time' }),
  authMethod: Type.String(),
  remoteAddress: Type.Union([Type.String(), Type.Null()]),
  browser: Type.Union([Type.String(), Type.Null()]),
  os: Type.Union([Type.String(), Type.Null()]),
});

export const SessionsResponse = Type.Object({ sessions: Type.Array(SessionView) });

export const SessionOptionParams = Type.Object({
  option: Type.String({ description: '`all`, `current`, `other`, or a session id', maxLength: 100 }),
});

export const DeleteBody = Type.Union([
  Type.Object({
    days: Type.Optional(Type.Integer({ minimum: 0, maximum: 365, description: 'Days until deletion (30 by default).' })),
    wipe: Type.Optional(Type.Boolean({ description: 'Erase every stored field at deletion time.' })),
  }),
  Type.Null(),
]);

export const DeleteResponse = Type.Object({
  scheduled: Type.String({ format: 'date-time' }),
  user: Type.Object({
    resourceType: Type.Literal('User'),
    id: Type.String(),
    firstName: Type.String(),
    lastName: Type.String(),
    email: Type.String(),
    project: Reference,
    meta: Type.Object({ versionId: Type.String(), lastUpdated: Type.String() }),
  }),
});

const Coding = Type.Object({ reference: Type.String(), display: Type.String() });

/** Medplum's /auth/me: the response schema is the allow-list of what may leave the server. */
export const MeResponse = Type.Object({
  project: Type.Object({ resourceType: Type.Literal('Project'), id: Type.String(), name: Type.String(), strictMode: Type.Boolean() }),
  membership: Type.Object({
    resourceType: Type.Literal('ProjectMembership'),
    id: Type.String(),
    project: Coding,
    user: Coding,
    profile: Coding,
  }),
  profile: Type.Object({
    resourceType: Type.String(),
    id: Type.String(),
    meta: Type.Object({ versionId: Type.String(), lastUpdated: Type.String() }),
    name: Type.Array(Type.Object({ given: Type.Array(Type.String()), family: Type.String() })),
    telecom: Type.Array(Type.Object({ system: Type.String(), use: Type.String(), value: Type.String() })),
  }),
  config: Type.Object({ resourceType: Type.Literal('UserConfiguration'), id: Type.String(), menu: Type.Array(Type.Unknown()) }),
  accessPolicy: Type.Null(),
  security: Type.Object({ mfaEnrolled: Type.Boolean(), sessions: Type.Array(SessionView) }),
});

export const OperationOutcome = Type.Object(
  {
    resourceType: Type.Literal('OperationOutcome'),
    id: Type.String(),
    issue: Type.Array(
      Type.Object({
        severity: Type.String(),
        code: Type.String(),
        details: Type.Object({ text: Type.String() }),
        expression: Type.Optional(Type.Array(Type.String())),
      }),
    ),
  },
  { title: 'OperationOutcome' },
);

export const errorResponses = {
  400: OperationOutcome,
  401: OperationOutcome,
  404: OperationOutcome,
  422: OperationOutcome,
  500: OperationOutcome,
};
