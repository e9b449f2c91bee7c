import type { Project } from '../projects.ts';

export type MailKind = 'verify-email' | 'password-reset' | 'password-changed';

export interface Template {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** Values a template may use as {{name}}; HTML bodies get them escaped. */
export interface TemplateValues {
  readonly projectName: string;
  readonly email: string;
  readonly name: string;
  readonly link?: string;
  readonly expiresIn?: string;
}

const DEFAULTS: Record<MailKind, Template> = {
  'verify-email': {
    subject: 'Verify your email for {{projectName}}',
    text: 'Hello {{name}},\n\nPlease confirm your email address for {{projectName}} by opening this link:\n\n{{link}}\n\nThe link expires in {{expiresIn}}. If you did not create an account, ignore this message.\n',
    html: '<p>Hello {{name}},</p><p>Please confirm your email address for {{projectName}}:</p><p><a href="{{link}}">Verify my email</a></p><p>The link expires in {{expiresIn}}. If you did not create an account, ignore this message.</p>',
  },
  'password-reset': {
    subject: 'Reset your {{projectName}} password',
    text: 'Hello {{name}},\n\nSomeone asked to reset the password of your {{projectName}} account. To choose a new password, open this link:\n\n{{link}}\n\nThe link expires in {{expiresIn}} and works once. If it was not you, ignore this message: your password stays the same.\n',
    html: '<p>Hello {{name}},</p><p>Someone asked to reset the password of your {{projectName}} account.</p><p><a href="{{link}}">Choose a new password</a></p><p>The link expires in {{expiresIn}} and works once. If it was not you, ignore this message: your password stays the same.</p>',
  },
  'password-changed': {
    subject: 'Your {{projectName}} password was changed',
    text: 'Hello {{name}},\n\nThe password of your {{projectName}} account was just changed, and you were signed out of your other sessions. If it was not you, reset your password at once and contact support.\n',
    html: '<p>Hello {{name}},</p><p>The password of your {{projectName}} account was just changed, and you were signed out of your other sessions.</p><p>If it was not you, reset your password at once and contact support.</p>',
  },
};

/**
 * A project overrides any part of a template in `settings.mailTemplates[kind]`
 * (`{subject?, text?, html?}`); what it leaves out comes from the defaults.
 */
export function templateFor(project: Pick<Project, 'settings'>, kind: MailKind): Template {
  const overrides = project.settings.mailTemplates;
  const own = typeof overrides === 'object' && overrides !== null ? (overrides as Record<string, unknown>)[kind] : undefined;
  const part = (name: keyof Template): string => {
    const value = typeof own === 'object' && own !== null ? (own as Record<string, unknown>)[name] : undefined;
    return typeof value === 'string' && value !== '' ? value : DEFAULTS[kind][name];
  };
  return { subject: part('subject'), text: part('text'), html: part('html') };
}

export function render(template: Template, values: TemplateValues): Template {
  const fill = (source: string, encode: (value: string) => string): string =>
    source.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => {
      const value = (values as unknown as Record<string, unknown>)[key];
      return typeof value === 'string' ? encode(value) : whole;
    });
  // Subjects are header values: no line breaks may come in through a value.
  const plain = (value: string): string => value;
  return {
    subject: fill(template.subject, (value) => value.replace(/[\r\n]+/g, ' ')),
    text: fill(template.text, plain),
    html: fill(template.html, escapeHtml),
  };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function minutesText(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? '1 hour' : `${seconds / 3600} hours`;
  const minutes = Math.max(1, Math.round(seconds / 60));
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}
