import type { Notice } from './flash.ts';
import type { MessageKey } from './i18n/index.ts';

/**
 * Every template of templates/ and the data its page passes to `renderPage`, so a misspelt
 * template name or a missing field is a compile error. Adding a page template is a file in
 * templates/ and a line here. Templates also get the page context of render.ts (`it.t`,
 * `it.brand`, `it.csrf`, ...): those names are reserved.
 */
export interface PageTemplates {
  landing: LandingPage;
  error: ErrorPage;
  form: FormPage;
  consent: ConsentPage;
}

/** The consent page (templates/consent.eta): what a client that is not first party asks for. */
export interface ConsentPage extends PageData {
  readonly client: string;
  /** One line per scope: a catalogue key and its placeholder values. */
  readonly scopes: ReadonlyArray<{ readonly key: MessageKey; readonly params?: Readonly<Record<string, string>> }>;
  readonly action: string;
  readonly hidden: Readonly<Record<string, string>>;
}

export interface PageData {
  /** Shown above the content; without one, a notice kept by `flash()` is shown. */
  readonly notice?: Notice;
}

export interface PageLink {
  readonly href: string;
  readonly label: MessageKey;
}

export interface LandingPage extends PageData {
  /** Present once a sign-in page is mounted. */
  readonly signInHref: string | undefined;
  readonly docsHref: string;
  readonly discoveryHref: string;
  /** Names of the auth APIs this server speaks. */
  readonly apis: readonly string[];
}

export interface ErrorPage extends PageData {
  readonly heading: MessageKey;
  readonly message: MessageKey;
  readonly back: PageLink;
}

/** One input with its label, hint and error (partials/field.eta). Passwords are never echoed. */
export interface FormField {
  /** Form field name; the input's id is `field-<name>`. */
  readonly name: string;
  readonly label: MessageKey;
  readonly type: 'email' | 'password' | 'text' | 'tel' | 'url';
  /** HTML autocomplete token: `email`, `username`, `current-password`, `new-password`, `one-time-code`, ... */
  readonly autocomplete: string;
  readonly value?: string;
  readonly hint?: MessageKey;
  /** Shown under the label, tied to the input by aria-describedby, listed in the error summary. */
  readonly error?: MessageKey;
  /** Default true. */
  readonly required?: boolean;
  readonly inputmode?: 'numeric' | 'text' | 'email';
}

/** A submit button; `name`/`value` tell several buttons of one form apart (Allow / Deny). */
export interface FormButton {
  readonly label: MessageKey;
  readonly name?: string;
  readonly value?: string;
  readonly kind?: 'primary' | 'secondary';
}

/**
 * A generic single-form page (templates/form.eta): heading, optional intro, fields, buttons and
 * links below. Sign-in, sign-up, code entry, forgot and reset password and consent fit it;
 * pages that need more get their own template built from the same partials.
 */
export interface FormPage extends PageData {
  readonly heading: MessageKey;
  readonly intro?: MessageKey;
  /** Values of the intro's `{name}` placeholders (a client's or a user's name). */
  readonly introParams?: Readonly<Record<string, string>>;
  /** Where the form posts (a page route: the CSRF token is added and checked). */
  readonly action: string;
  readonly fields: readonly FormField[];
  readonly buttons: readonly FormButton[];
  readonly links?: readonly PageLink[];
  /** Extra hidden fields (an interaction id, ...). The CSRF token and ui_locales are added by the form itself. */
  readonly hidden?: Readonly<Record<string, string>>;
}
