import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { authenticate, type AuthenticateOptions } from '../../http/authenticate.ts';

/**
 * FastAPI's OAuth2PasswordBearer: an access token issued to any client of the served project
 * (so an Ovok client's token works here too). Refresh tokens are not access tokens: they are
 * opaque `ghr_` strings that never verify as a signed JWT.
 */
export const CREDENTIALS: AuthenticateOptions = { accept: ['bearer'] };

export const signedIn = (api: GatehouseApi) => authenticate(api, CREDENTIALS);

export const bearer = [{ bearer: [] }];
