import type { JWK } from 'jose';
import type { Config } from '../../config.ts';
import type { ApiKeys } from '../api-keys.ts';
import type { AuditLog } from '../audit.ts';
import type { Auth } from '../auth.ts';
import type { Deletions } from '../deletions.ts';
import type { Directory } from '../directory.ts';
import type { SecurityEvents } from '../events.ts';
import type { KeyStore } from '../keys.ts';
import type { Lifecycle } from '../lifecycle/index.ts';
import type { Projects } from '../projects.ts';
import type { SealedSecrets } from '../sealed-secrets.ts';
import type { Sessions } from '../sessions.ts';
import type { Users } from '../users.ts';
import type { Clock } from '../oidc/clock.ts';
import type { OAuthClients } from '../oidc/clients.ts';
import type { AuthorizationCodes } from '../oidc/codes.ts';
import type { Consents } from '../oidc/consents.ts';
import type { Interactions } from '../oidc/interactions.ts';
import type { BrowserSessions } from '../oidc/browser-sessions.ts';
import type { ProviderJwts } from '../oidc/jwts.ts';
import type { RevocationStore } from '../revocations.ts';
import type { AccessTokens } from '../tokens.ts';
import { Account } from './account.ts';
import { Authorization } from './authorization.ts';
import { HostedSignIn } from './hosted-sign-in.ts';
import { Logout } from './logout.ts';
import { TokenGrants } from './token-grants.ts';
import { TokenInspection } from './token-inspection.ts';
import { Administration } from './administration.ts';
import { ApiKeyControl } from './api-key-control.ts';
import { Credentials } from './credentials.ts';
import { MfaSettings } from './mfa-settings.ts';
import { Migration } from './migration.ts';
import { Recovery } from './recovery.ts';
import { Registration } from './registration.ts';
import { SessionControl } from './session-control.ts';
import { SignIn } from './sign-in.ts';
import { Tenants } from './tenants.ts';
import { Operations } from './operations.ts';
import { Operators } from './operators.ts';
import { UserAdministration } from './user-administration.ts';
import { ConsoleAccess } from './console-access.ts';
import { Overview } from './overview.ts';
import { Statistics } from '../statistics.ts';
import type { BruteForceGuard } from '../abuse/brute-force.ts';
import type { PasswordHasher } from '../passwords.ts';
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../../db/connection.ts';
import type { SignInPasswords } from '../sign-in-passwords.ts';

/**
 * What the HTTP surfaces may call: use-case operations that take the tenant or the caller as
 * input and do every check before anything irreversible. No database, no service internals.
 */
export interface GatehouseApi {
  readonly tenants: Tenants;
  readonly signIn: SignIn;
  readonly registration: Registration;
  readonly credentials: Credentials;
  readonly account: Account;
  readonly sessions: SessionControl;
  readonly recovery: Recovery;
  readonly mfa: MfaSettings;
  readonly apiKeys: ApiKeyControl;
  readonly admin: Administration;
  /** The OpenID provider: authorization requests, token endpoint grants, logout, hosted sign-in. */
  readonly oidc: {
    readonly authorization: Authorization;
    readonly tokens: TokenGrants;
    readonly inspection: TokenInspection;
    readonly logout: Logout;
    readonly hosted: HostedSignIn;
  };
  /** Users across projects, for operators (admin API, CLI, console). */
  readonly users: UserAdministration;
  readonly operators: Operators;
  /** The web console's operator sign-in (console-access.ts) and its overview figures. */
  readonly console: { readonly access: ConsoleAccess; readonly overview: Overview };
  /** Backups of the embedded database, re-encryption of stored secrets. */
  readonly operations: Operations;
  /** User imports and exports (docs/migrating.md). */
  readonly migration: Migration;
  /** Public keys that verify access tokens (JWKS). */
  publicJwks(): { keys: JWK[] };
  /** Whether the database answers (readiness probes). */
  health(): Promise<boolean>;
}

export interface ApiServices {
  readonly config: Config;
  readonly projects: Projects;
  readonly users: Users;
  readonly sessions: Sessions;
  readonly auth: Auth;
  readonly apiKeys: ApiKeys;
  readonly deletions: Deletions;
  readonly directory: Directory;
  readonly lifecycle: Lifecycle;
  readonly keys: KeyStore;
  readonly audit: AuditLog;
  readonly events: SecurityEvents;
  readonly bruteForce: BruteForceGuard;
  readonly hasher: PasswordHasher;
  readonly logger: Logger;
  readonly health: () => Promise<boolean>;
  /** For imports, which write users in bulk (core/import). */
  readonly database: DatabaseHandle;
  readonly signInPasswords: SignInPasswords;
  readonly secrets: SealedSecrets;
  readonly tokens: AccessTokens;
  readonly revocations: RevocationStore;
  /** The OpenID provider's services (core/oidc). */
  readonly oidc: {
    readonly clock: Clock;
    readonly clients: OAuthClients;
    readonly codes: AuthorizationCodes;
    readonly consents: Consents;
    readonly interactions: Interactions;
    readonly browserSessions: BrowserSessions;
    readonly jwts: ProviderJwts;
  };
}

export function createApi(services: ApiServices): GatehouseApi {
  const {
    config,
    projects,
    users,
    sessions,
    auth,
    apiKeys,
    deletions,
    directory,
    lifecycle,
    keys,
    audit,
    events,
    bruteForce,
    hasher,
    logger,
  } = services;
  const tenants = new Tenants(projects, config);
  const signIn = new SignIn({ tenants, projects, users, auth, mfa: lifecycle.mfa, cookieTtl: config.sessions });
  const registration = new Registration({ tenants, users, auth, signIn });
  const { oidc } = services;
  const issuer = config.issuer;
  const authorization = new Authorization({ issuer, ...oidc, projects, users, events });
  const tokenGrants = new TokenGrants({
    issuer,
    ...oidc,
    projects,
    users,
    sessions,
    auth,
    tokens: services.tokens,
    revocations: services.revocations,
    events,
  });
  const operators = new Operators({ projects, users, hasher, events, logger });
  return {
    tenants,
    signIn,
    registration,
    credentials: new Credentials({ auth, apiKeys, tenants, projects }),
    account: new Account({ tenants, projects, users, sessions, auth, deletions, directory }),
    sessions: new SessionControl({ sessions, events }),
    recovery: new Recovery({ tenants, projects, users, lifecycle }),
    mfa: new MfaSettings({ users, projects, mfa: lifecycle.mfa }),
    apiKeys: new ApiKeyControl(apiKeys),
    admin: new Administration({ projects, keys, audit, mail: lifecycle.mail, events, clients: oidc.clients }),
    oidc: {
      authorization,
      tokens: tokenGrants,
      inspection: new TokenInspection({ issuer, ...oidc, users, sessions, auth, revocations: services.revocations, events }),
      logout: new Logout({ ...oidc, sessions }),
      hosted: new HostedSignIn({ tenants, signIn, registration, authorization, browserSessions: oidc.browserSessions }),
    },
    users: new UserAdministration({ users, projects, sessions, apiKeys, audit, bruteForce, lifecycle, events }),
    operators,
    console: {
      access: new ConsoleAccess({
        issuer,
        requireMfa: config.console.requireMfa,
        projects,
        clients: oidc.clients,
        tokens: tokenGrants,
        sessions,
        browserSessions: oidc.browserSessions,
        operators,
        events,
      }),
      overview: new Overview({ statistics: new Statistics(services.database.db), hasher, mailMode: () => lifecycle.mail.mode }),
    },
    operations: new Operations({ database: services.database, dataDir: config.dataDir, secrets: services.secrets, events }),
    migration: new Migration({
      database: services.database,
      projects,
      hasher,
      signInPasswords: services.signInPasswords,
      lifecycle,
      events,
      secrets: services.secrets,
    }),
    publicJwks: () => keys.publicJwks(),
    health: services.health,
  };
}
