import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, isGatehouseError } from '../../core/errors.ts';
import { isUuid } from '../../core/projects.ts';
import type { HostedResult, HostedTarget } from '../../core/use-cases/hosted-sign-in.ts';
import type { TenantRef } from '../../core/use-cases/tenants.ts';
import { sessionContext } from '../request-context.ts';
import { browserOf, PAGE_PATHS, pageUrl, setSsoCookie, stepLocation } from './browser.ts';
import type { MessageKey } from './i18n/index.ts';
import { renderPage } from './render.ts';

/** A form or query field as text ('' when absent or repeated). */
export function field(source: unknown, name: string): string {
  const value = source !== null && typeof source === 'object' ? (source as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
}

/** The interaction a page belongs to (`?interaction=` or the form's hidden field). */
export function interactionOf(request: FastifyRequest): string | undefined {
  const id = field(request.body, 'interaction') || field(request.query, 'interaction');
  return isUuid(id) ? id : undefined;
}

/** Without an interaction, `?project=<id>` names the project signed in to (default: the default project). */
export function projectOf(request: FastifyRequest): TenantRef | undefined {
  const project = field(request.body, 'project') || field(request.query, 'project');
  return isUuid(project) ? { projectId: project } : undefined;
}

export function targetOf(request: FastifyRequest): HostedTarget {
  return {
    interactionId: interactionOf(request),
    tenant: projectOf(request),
    browser: browserOf(request),
    context: sessionContext(request),
  };
}

/** Query parameters that keep a page in its flow: the interaction (or project) and the chosen language. */
export function flowQuery(request: FastifyRequest): Record<string, string | undefined> {
  const interaction = interactionOf(request);
  const project = projectOf(request);
  const uiLocales = field(request.body, 'ui_locales') || field(request.query, 'ui_locales');
  return {
    interaction,
    ...(interaction === undefined && project !== undefined && 'projectId' in project && { project: project.projectId }),
    ...(uiLocales !== '' && { ui_locales: uiLocales }),
  };
}

/** Hidden fields that carry the flow through a form post (ui_locales is added by the form itself). */
export function flowHidden(request: FastifyRequest): Record<string, string> {
  const { interaction, project } = flowQuery(request);
  return { ...(interaction !== undefined && { interaction }), ...(project !== undefined && { project }) };
}

/** A sign-in that went through: the SSO cookie, then on to the app (or the signed-in page). */
export async function afterSignIn(
  request: FastifyRequest,
  reply: FastifyReply,
  result: Extract<HostedResult, { kind: 'signed-in' }>,
): Promise<FastifyReply> {
  setSsoCookie(request, reply, result.sso);
  if (result.next !== undefined) return reply.code(303).header('location', stepLocation(result.next)).send();
  return renderPage(reply, request, 'form', {
    heading: 'signIn.signedInTitle',
    intro: 'signIn.signedInAs',
    introParams: { email: result.email },
    action: pageUrl(PAGE_PATHS.signOut, flowQuery(request)),
    fields: [],
    buttons: [{ label: 'signIn.signOut', kind: 'secondary' }],
  });
}

/** Failures a sign-in form shows as a notice above the form, with the status to answer. */
export function signInNotice(error: unknown): { status: number; message: MessageKey } | undefined {
  if (!isGatehouseError(error)) return undefined;
  switch (error.code) {
    case ErrorCode.InvalidCredentials:
      return { status: 401, message: 'signIn.failed' };
    case ErrorCode.InvalidMfaCode:
      return { status: 401, message: 'code.failed' };
    case ErrorCode.EmailNotVerified:
      return { status: 403, message: 'signIn.notVerified' };
    case ErrorCode.AccountLocked:
    case ErrorCode.RateLimited:
      return { status: 429, message: 'signIn.locked' };
    default:
      return undefined;
  }
}
