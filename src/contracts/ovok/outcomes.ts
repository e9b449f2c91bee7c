import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';

export const Email = Type.String({ format: 'email', maxLength: 254 });

/** Requests that name no user say which project: by client application (Ovok) or project (Medplum). */
export const ClientOrProject = {
  clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Client application; names the project.' })),
  projectId: Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: 'Project (Medplum style); default project when neither is given.' }),
  ),
};

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
  return reply.type('application/fhir+json; charset=utf-8').send({
    resourceType: 'OperationOutcome',
    id: 'allok',
    issue: [{ severity: 'information', code: 'informational', details: { text: 'All OK' } }],
  });
}
