import type { Config } from '../../config.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import type { RouteTable } from '../routes.ts';
import { PAGE_PATHS } from './browser.ts';
import { consent, consentPage } from './consent.ts';
import { landing } from './landing.ts';
import { forgotPassword, forgotPasswordPage, legacyResetLink, resetPassword, resetPasswordPage } from './password.ts';
import { signIn, signInCode, signInPage } from './sign-in.ts';
import { signedOutPage, signOut, signOutPage } from './sign-out.ts';
import { signUp, signUpPage } from './sign-up.ts';
import { legacyVerifyLink, verifyEmail, verifyEmailPage } from './verify-email.ts';

/**
 * Every URL of the hosted pages, and the file that answers it. Routes here get the form body
 * parser, the CSRF check on every state-changing method and the error page (see index.ts);
 * state-changing ones also declare their rate-limit budget, like every route.
 */
export const pageRoutes = (api: GatehouseApi, config: Config): RouteTable => [
  ['GET', '/', landing(config)], // landing.ts
  ['GET', PAGE_PATHS.signIn, signInPage(api)], // sign-in.ts
  ['POST', PAGE_PATHS.signIn, signIn(api)], // sign-in.ts
  ['POST', PAGE_PATHS.code, signInCode(api)], // sign-in.ts
  ['GET', PAGE_PATHS.signUp, signUpPage(api)], // sign-up.ts
  ['POST', PAGE_PATHS.signUp, signUp(api)], // sign-up.ts
  ['GET', PAGE_PATHS.forgotPassword, forgotPasswordPage(api)], // password.ts
  ['POST', PAGE_PATHS.forgotPassword, forgotPassword(api)], // password.ts
  ['GET', PAGE_PATHS.resetPassword, resetPasswordPage()], // password.ts
  ['POST', PAGE_PATHS.resetPassword, resetPassword(api)], // password.ts
  ['GET', '/setpassword/:id/:secret', legacyResetLink()], // password.ts
  ['GET', PAGE_PATHS.verifyEmail, verifyEmailPage()], // verify-email.ts
  ['POST', PAGE_PATHS.verifyEmail, verifyEmail(api)], // verify-email.ts
  ['GET', '/verify-email/:id/:secret', legacyVerifyLink()], // verify-email.ts
  ['GET', PAGE_PATHS.consent, consentPage(api)], // consent.ts
  ['POST', PAGE_PATHS.consent, consent(api)], // consent.ts
  ['GET', PAGE_PATHS.signOut, signOutPage(api)], // sign-out.ts
  ['POST', PAGE_PATHS.signOut, signOut(api)], // sign-out.ts
  ['GET', PAGE_PATHS.signedOut, signedOutPage()], // sign-out.ts
];
