import type { GatehouseApi } from '../../core/use-cases/index.ts';
import type { RouteTable } from '../routes.ts';
import { accountPage, confirmMfa } from './account.ts';
import { importPage, importUpload } from './import.ts';
import { overviewPage } from './overview.ts';
import { createClient, projectPage, projectsPage, rotateClientSecret, saveProject } from './projects.ts';
import { rotateKeys, securityPage } from './security.ts';
import { callback, signedOut, signOut, startSignIn } from './sign-in.ts';
import { deleteUser, endSession, USER_ACTIONS, userAction } from './user-actions.ts';
import { userPage, usersPage } from './users.ts';

/** Pages that need no operator session: signing in and out. Every other console route does (index.ts). */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/console/sign-in', '/console/callback', '/console/signed-out']);

/**
 * Every URL of the console and the file that answers it. Routes here get the form body parser,
 * the operator session, the CSRF check on every POST and the console's error page (index.ts).
 */
export const consoleRoutes = (api: GatehouseApi): RouteTable => [
  ['GET', '/console/sign-in', startSignIn(api)], // sign-in.ts
  ['GET', '/console/callback', callback(api)], // sign-in.ts
  ['POST', '/console/sign-out', signOut(api)], // sign-in.ts
  ['GET', '/console/signed-out', signedOut()], // sign-in.ts
  ['GET', '/console', overviewPage(api)], // overview.ts
  ['GET', '/console/users', usersPage(api)], // users.ts
  ['GET', '/console/users/:userId', userPage(api)], // users.ts
  ...USER_ACTIONS.map((action) => ['POST', `/console/users/:userId/${action}`, userAction(api, action)] as const), // user-actions.ts
  ['POST', '/console/users/:userId/sessions/:sessionId/end', endSession(api)], // user-actions.ts
  ['POST', '/console/users/:userId/delete', deleteUser(api)], // user-actions.ts
  ['GET', '/console/projects', projectsPage(api)], // projects.ts
  ['GET', '/console/projects/:projectId', projectPage(api)], // projects.ts
  ['POST', '/console/projects/:projectId', saveProject(api)], // projects.ts
  ['POST', '/console/projects/:projectId/clients', createClient(api)], // projects.ts
  ['POST', '/console/projects/:projectId/clients/:clientId/rotate-secret', rotateClientSecret(api)], // projects.ts
  ['GET', '/console/security', securityPage(api)], // security.ts
  ['POST', '/console/security/rotate-keys', rotateKeys(api)], // security.ts
  ['GET', '/console/account', accountPage(api)], // account.ts
  ['POST', '/console/account/mfa', confirmMfa(api)], // account.ts
  ['GET', '/console/import', importPage(api)], // import.ts
  ['POST', '/console/import', importUpload(api)], // import.ts
];
