/**
 * English, the reference catalogue of the hosted pages. Every other language has exactly these
 * keys (`Messages`): a key missing from de.ts, or one it has and this file lacks, does not compile.
 * `{name}` marks a value filled in by `t(key, { name })`; templates escape the result.
 */
export const en = {
  'language.name': 'English',

  'layout.skipToContent': 'Skip to main content',
  'layout.languages': 'Language',
  'layout.poweredBy': 'Secured by Gatehouse',

  'field.email': 'Email',
  'field.password': 'Password',
  'field.code': 'Code',
  'field.optional': '(optional)',

  'button.signIn': 'Sign in',
  'button.createAccount': 'Create account',
  'button.continue': 'Continue',
  'button.allow': 'Allow',
  'button.deny': 'Deny',

  'notice.error': 'Error',
  'notice.success': 'Success',
  'notice.info': 'Information',
  'notice.passwordChanged': 'Your password was changed. Sign in with your new password.',

  'form.errorSummary': 'There is a problem',
  'form.errorTitle': 'Error: {title}',
  'form.emailMissing': 'Enter your email address',
  'form.emailInvalid': 'Enter an email address in the correct format, like name@example.com',
  'form.passwordMissing': 'Enter your password',
  'form.codeInvalid': 'Enter the 6-digit code from your authenticator app, or a recovery code',

  'landing.title': 'Sign-in service',
  'landing.intro': 'This server signs people in to apps. It runs Gatehouse, a self-hosted authentication server.',
  'landing.introNamed': 'This server signs people in to the apps of {name}. It runs Gatehouse, a self-hosted authentication server.',
  'landing.signIn': 'Sign in to your account',
  'landing.developers': 'For developers',
  'landing.docs': 'API reference',
  'landing.docsDescription': 'Every endpoint of this server, with request and response schemas.',
  'landing.discovery': 'OpenID Connect discovery document',
  'landing.discoveryDescription': 'The issuer, keys and endpoints that client libraries read.',
  'landing.apis': 'Auth APIs served here',

  'error.requestId': 'Request ID:',
  'error.home': 'Go to the start page',
  'error.back': 'Go back and try again',
  'error.badRequest.title': 'The request could not be processed',
  'error.badRequest.message': 'Something in the request was missing or not valid. Go back and try again.',
  'error.unauthorized.title': 'You are not signed in',
  'error.unauthorized.message': 'Your sign-in was not accepted or has ended. Sign in again to continue.',
  'error.forbidden.title': 'Access denied',
  'error.forbidden.message': 'You do not have permission to do this.',
  'error.notFound.title': 'Page not found',
  'error.notFound.message': 'There is no page at this address. Check the address, or start again from the start page.',
  'error.unknownApp.title': 'Unknown application',
  'error.unknownApp.message': 'The application that sent you here is not registered with this server.',
  'error.conflict.title': 'This could not be done',
  'error.conflict.message': 'The request conflicts with the current state of the account. Reload the page and try again.',
  'error.expiredLink.title': 'This link has expired',
  'error.expiredLink.message': 'The link is no longer valid or was already used. Request a new one.',
  'error.rateLimited.title': 'Too many attempts',
  'error.rateLimited.message': 'Wait a few minutes, then try again.',
  'error.locked.title': 'Account temporarily locked',
  'error.locked.message': 'There were too many failed attempts. Wait a few minutes, then try again.',
  'error.unavailable.title': 'Service busy',
  'error.unavailable.message': 'The server is busy right now. Wait a moment, then try again.',
  'error.csrf.title': 'This form has expired',
  'error.csrf.message': 'For your security the form was not accepted. Go back, reload the page and submit it again.',
  'error.internal.title': 'Something went wrong',
  'error.internal.message':
    'The server could not complete the request. Try again later. If it keeps happening, give the administrator the request ID below.',
} as const;

export type MessageKey = keyof typeof en;

/** A complete catalogue: one text for every key of the English one. */
export type Messages = { readonly [K in MessageKey]: string };
