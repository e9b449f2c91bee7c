import type { FastifyRequest } from 'fastify';
import { ErrorCode, GatehouseError } from '../../core/errors.ts';
import type { ConsoleActor } from '../../core/use-cases/console-access.ts';

/** The operator acting in a console route (the session hook set it; a route outside the hook is a programming error). */
export function actorOf(request: FastifyRequest): ConsoleActor {
  const operator = request.operator;
  if (operator === undefined) throw new GatehouseError(ErrorCode.Unauthenticated, 'Sign in to the console');
  return operator.actor;
}

/** A form or query field as text ('' when absent or not text). */
export function text(source: unknown, name: string): string {
  const value = source !== null && typeof source === 'object' ? (source as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value.trim() : '';
}
