import type { FastifyPluginAsync } from 'fastify';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { useProblemRenderer } from '../../http/error-mapping.ts';
import { mount, type RouteTable } from '../../http/routes.ts';
import { useTenant } from '../../http/tenant.ts';
import type { ContractOptions } from '../contract.ts';
import { deleteAccount } from './delete.ts';
import { renderOvokProblem } from './errors.ts';
import { ovokTenant } from './guard.ts';
import { login } from './login.ts';
import { me } from './me.ts';
import { mfaDisable, mfaEnroll, mfaRecoveryCodes, mfaStatus, mfaVerify } from './mfa.ts';
import { changePassword, resetPassword, setPassword } from './password.ts';
import { refreshToken } from './refresh-token.ts';
import { register } from './register.ts';
import { listSessions, logout, revokeSessions } from './session.ts';
import { resendVerification, verifyEmail } from './verify-email.ts';

/** Every URL of Ovok's auth API, and the file that answers it. */
export const ovokRoutes = (api: GatehouseApi): RouteTable => [
  ['POST', '/auth/register', register(api)], // register.ts
  ['POST', '/v2/auth/login', login(api, 'v2')], // login.ts
  ['POST', '/auth/login', login(api, 'v1')], // login.ts: the path of the published cURL example
  ['POST', '/auth/refresh-token', refreshToken(api)], // refresh-token.ts
  ['GET', '/auth/me', me(api)], // me.ts
  ['POST', '/auth/logout', logout(api)], // session.ts
  ['GET', '/auth/session', listSessions(api)], // session.ts
  ['DELETE', '/auth/session/:option', revokeSessions(api)], // session.ts
  ['DELETE', '/auth/delete', deleteAccount(api)], // delete.ts
  ['POST', '/auth/reset-password', resetPassword(api)], // password.ts
  ['POST', '/auth/set-password', setPassword(api)], // password.ts
  ['POST', '/auth/change-password', changePassword(api)], // password.ts
  ['POST', '/auth/verify-email', verifyEmail(api)], // verify-email.ts
  ['POST', '/auth/resend-verification', resendVerification(api)], // verify-email.ts
  ['GET', '/auth/mfa/status', mfaStatus(api)], // mfa.ts
  ['POST', '/auth/mfa/enroll', mfaEnroll(api)], // mfa.ts
  ['POST', '/auth/mfa/verify', mfaVerify(api)], // mfa.ts
  ['POST', '/auth/mfa/disable', mfaDisable(api)], // mfa.ts
  ['POST', '/auth/mfa/recovery-codes', mfaRecoveryCodes(api)], // mfa.ts
];

/** Ovok's auth API (a NestJS front of Medplum): camelCase JSON, FHIR OperationOutcome errors. */
export const ovokContract: FastifyPluginAsync<ContractOptions> = async (app, { api }) => {
  useProblemRenderer(app, (problem, request) => renderOvokProblem(problem, request.id));
  useTenant(app, { of: ovokTenant, bindsCredentials: false });
  mount(app, ovokRoutes(api));
};
