import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toProblem, type Problem } from './problems.ts';

export interface RenderedError {
  readonly status: number;
  readonly body: unknown;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type ProblemRenderer = (problem: Problem, request: FastifyRequest) => RenderedError;

/**
 * Installs one error handler on a contract's (encapsulated) Fastify scope: every failure is
 * normalized to a Problem and rendered by the contract. 5xx bodies stay generic; the real
 * error goes to the log with the request id.
 */
export function useProblemRenderer(scope: FastifyInstance, render: ProblemRenderer): void {
  scope.setErrorHandler((error, request, reply) => sendProblem(reply, request, render, error));
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, render: ProblemRenderer, error: unknown): FastifyReply {
  const problem = toProblem(error, { body: request.body, query: request.query, params: request.params });
  if (problem.kind === 'internal') request.log.error({ err: error }, 'request failed');
  const rendered = render(problem, request);
  if (rendered.status >= 500 && problem.kind !== 'internal') request.log.warn({ code: problemCode(problem) }, 'request refused');
  if (rendered.headers !== undefined) reply.headers(rendered.headers);
  if (rendered.contentType !== undefined) reply.type(rendered.contentType);
  return reply.code(rendered.status).send(rendered.body);
}

function problemCode(problem: Problem): string {
  return problem.kind === 'core' ? problem.error.code : problem.kind;
}
