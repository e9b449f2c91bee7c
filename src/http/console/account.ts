import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { sessionContext } from '../request-context.ts';
import { limits } from '../route-limits.ts';
import { endpoint } from '../routes.ts';
import { actorOf, text } from './operator.ts';
import { renderConsole } from './render.ts';

/**
 * GET /console/account: the operator's own two-step verification. Not enrolled: the secret (QR
 * code and text) and a form for the first code. Operators enroll here before an administrator
 * sets GATEHOUSE_CONSOLE_REQUIRE_MFA.
 */
export const accountPage = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true },
    handler: async (request, reply) => {
      const status = await api.mfa.status(await api.console.access.principal(actorOf(request)));
      return renderConsole(reply, request, 'account', { title: 'Your account', status });
    },
  });

/** POST /console/account/mfa: confirms enrollment with a current code; shows the recovery codes once. */
export const confirmMfa = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true },
    config: limits('mfa'),
    handler: async (request, reply) => {
      const principal = await api.console.access.principal(actorOf(request));
      const recoveryCodes = await api.mfa.confirm(principal, text(request.body, 'code'), sessionContext(request));
      return renderConsole(reply, request, 'account', { title: 'Your account', status: { enrolled: true }, recoveryCodes });
    },
  });
