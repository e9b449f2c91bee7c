import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  ContextConfigDefault,
  FastifyInstance,
  FastifySchema,
  HTTPMethods,
  preHandlerAsyncHookHandler,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteGenericInterface,
  RouteHandlerMethod,
  RouteOptions,
} from 'fastify';
import type { RouteLimits } from './route-limits.ts';

/** A route handler typed by its TypeBox schema (request parts in, response bodies out). */
export type Handler<S extends FastifySchema> = RouteHandlerMethod<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  RouteGenericInterface,
  ContextConfigDefault,
  S,
  TypeBoxTypeProvider
>;

/** One endpoint: its schema (validation and OpenAPI), its budget, its guard, its handler. The URL is in routes.ts. */
export interface Endpoint<S extends FastifySchema = FastifySchema> {
  readonly schema: S;
  readonly config?: { readonly limits: RouteLimits };
  readonly preHandler?: preHandlerAsyncHookHandler;
  // A method signature, so endpoints of any schema fit in one route table.
  handler(...args: Parameters<Handler<S>>): ReturnType<Handler<S>>;
}

/** Declares an endpoint, inferring its request and response types from the schema. */
export function endpoint<const S extends FastifySchema>(definition: Endpoint<S>): Endpoint<S> {
  return definition;
}

/** A contract's URLs: method, path, endpoint. */
export type RouteTable = ReadonlyArray<readonly [HTTPMethods | HTTPMethods[], string, Endpoint]>;

/** Registers every route of a table on a contract's scope. */
export function mount(scope: FastifyInstance, routes: RouteTable): void {
  for (const [method, url, { schema, config, preHandler, handler }] of routes) {
    scope.route({ method, url, schema, handler, ...(config && { config }), ...(preHandler && { preHandler }) } as RouteOptions);
  }
}
