import type { Mailer } from '../mail/outbox.ts';
import { minutesText, render, templateFor, type MailKind } from '../mail/templates.ts';
import type { Project } from '../projects.ts';
import { displayName, type User } from '../users.ts';

/** A link pattern: {base} (LINK_BASE_URL), {id}, {secret} and {email} are filled in, URL-encoded. */
export type LinkPattern = string;

export const DEFAULT_LINKS = {
  verifyEmail: '{base}/verify-email/{id}/{secret}',
  resetPassword: '{base}/setpassword/{id}/{secret}',
} as const;

/**
 * Builds a link from the project's pattern (`settings.links.verifyEmail|resetPassword`) or the
 * contract's, so each app can point its emails at its own pages.
 */
export function linkFor(
  project: Pick<Project, 'settings'>,
  name: keyof typeof DEFAULT_LINKS,
  fallback: LinkPattern,
  values: { base: string; id: string; secret: string; email: string },
): string {
  const links = project.settings.links;
  const own = typeof links === 'object' && links !== null ? (links as Record<string, unknown>)[name] : undefined;
  const pattern = typeof own === 'string' && own !== '' ? own : fallback;
  return pattern.replace(/\{(base|id|secret|email)\}/g, (_whole, key: keyof typeof values) =>
    key === 'base' ? values.base : encodeURIComponent(values[key]),
  );
}

/** Renders a project's template for a user and queues it. */
export async function sendAccountMail(
  mailer: Mailer,
  project: Project,
  user: User,
  kind: MailKind,
  extra: { link?: string; ttlSeconds?: number } = {},
): Promise<void> {
  const message = render(templateFor(project, kind), {
    projectName: project.name,
    email: user.email,
    name: displayName(user),
    ...(extra.link !== undefined && { link: extra.link }),
    ...(extra.ttlSeconds !== undefined && { expiresIn: minutesText(extra.ttlSeconds) }),
  });
  await mailer.enqueue({ projectId: project.id, kind, to: user.email, ...message });
}

export function settingSeconds(project: Pick<Project, 'settings'>, name: string, fallback: number): number {
  const value = project.settings[name];
  return typeof value === 'number' && Number.isInteger(value) && value >= 60 && value <= 30 * 24 * 3600 ? value : fallback;
}
