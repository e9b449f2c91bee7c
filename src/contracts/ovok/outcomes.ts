import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Core } from '../../core/index.ts';
import type { Project } from '../../core/projects.ts';

/** Medplum's allOk: what its password, verification and MFA endpoints answer on success. */
export const AllOk = Type.Object(
  {
    resourceType: Type.Literal('OperationOutcome'),
    id: Type.String(),
    issue: Type.Array(Type.Object({ severity: Type.String(), code: Type.String(), details: Type.Object({ text: Type.String() }) })),
  },
  { title: 'OperationOutcome (allOk)' },
);

/** Medplum's answer to a correct password when the user has MFA: finish at POST /auth/mfa/verify. */
export const MfaRequiredResponse = Type.Object(
  {
    login: Type.String({ description: 'Challenge to send to POST /auth/mfa/verify with the code; valid 5 minutes, 5 tries.' }),
    mfaRequired: Type.Literal(true),
  },
  { title: 'MfaRequired' },
);

export function sendAllOk(reply: FastifyReply): FastifyReply {
  return reply
    .type('application/fhir+json; charset=utf-8')
    .send({ resourceType: 'OperationOutcome', id: 'allok', issue: [{ severity: 'information', code: 'informational', details: { text: 'All OK' } }] });
}

/** Requests that name no user carry a clientId (Ovok) or projectId (Medplum); neither = the default project. */
export async function projectFrom(core: Core, body: { clientId?: string | undefined; projectId?: string | undefined }): Promise<Project> {
  if (body.clientId !== undefined) return core.projects.get((await core.projects.client(body.clientId)).project_id);
  if (body.projectId !== undefined) return core.projects.get(body.projectId);
  return core.projects.defaultProject();
}
