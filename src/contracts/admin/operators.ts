import { Type, type Static } from 'typebox';
import type { Operator } from '../../core/use-cases/operators.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { limits } from '../../http/route-limits.ts';
import { endpoint } from '../../http/routes.ts';
import { actorOf } from './guard.ts';
import { AdminErrorSchema } from './schemas.ts';

const security = [{ adminToken: [] }];
const errors = { 401: AdminErrorSchema, 403: AdminErrorSchema, 409: AdminErrorSchema, 422: AdminErrorSchema };

const OperatorSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  role: Type.String(),
  active: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  lastLoginAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

function operatorView(operator: Operator): Static<typeof OperatorSchema> {
  return { ...operator, createdAt: operator.createdAt.toISOString(), lastLoginAt: operator.lastLoginAt?.toISOString() ?? null };
}

/** POST /admin/operators: a console operator; without a password, one is generated and answered once. */
export const createOperator = (api: GatehouseApi) =>
  endpoint({
    schema: {
      tags: ['admin'],
      security,
      summary: 'Create a console operator',
      body: Type.Object({
        email: Type.String({ format: 'email', maxLength: 254 }),
        role: Type.Union([Type.Literal('admin'), Type.Literal('support')]),
        password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024 })),
      }),
      response: {
        201: Type.Object({
          operator: OperatorSchema,
          password: Type.Optional(Type.String({ description: 'Generated password, shown only here' })),
        }),
        ...errors,
      },
    },
    config: limits('none'),
    handler: async (request, reply) => {
      const { operator, password } = await api.operators.create(actorOf(request), request.body);
      return reply.code(201).send({ operator: operatorView(operator), ...(password !== undefined && { password }) });
    },
  });

/** GET /admin/operators */
export const listOperators = (api: GatehouseApi) =>
  endpoint({
    schema: { tags: ['admin'], security, summary: 'List console operators', response: { 200: Type.Array(OperatorSchema), ...errors } },
    handler: async (request) => (await api.operators.list(actorOf(request))).map(operatorView),
  });
