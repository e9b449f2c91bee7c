import type { Config } from '../config.ts';
import { CLI_ACTOR, type OperatorRole } from '../core/use-cases/actor.ts';
import { withCore, type Output } from './commands.ts';

/** `gatehouse operators create EMAIL [--role admin|support]`: prints the generated password once. */
export async function createOperator(
  config: Config,
  out: Output,
  input: { email: string; role: OperatorRole; password?: string },
): Promise<void> {
  await withCore(config, async (core) => {
    const { operator, password } = await core.api.operators.create(CLI_ACTOR, input);
    out.print({ operator, ...(password !== undefined && { password }) }, () =>
      [
        `Created ${operator.role} operator ${operator.email} (${operator.id}).`,
        ...(password === undefined ? [] : [`Password (shown only now): ${password}`]),
        `Sign in at ${config.issuer}/console`,
      ].join('\n'),
    );
  });
}

export async function listOperators(config: Config, out: Output): Promise<void> {
  await withCore(config, async (core) => {
    const operators = await core.api.operators.list(CLI_ACTOR);
    out.print(
      operators,
      () =>
        operators
          .map((operator) => `${operator.id}  ${operator.email}  ${operator.role}${operator.active ? '' : ' (disabled)'}`)
          .join('\n') || 'No operator yet.',
    );
  });
}
