import type { Contract } from './contract.ts';
import { renderAdminProblem } from './admin/errors.ts';
import { adminContract } from './admin/routes.ts';
import { renderJinuaiProblem } from './jinuai/errors.ts';
import { renderOvokProblem } from './ovok/errors.ts';
import { renderPixelmoverProblem } from './pixelmover/errors.ts';
import { jinuaiContract } from './jinuai/routes.ts';
import { ovokContract } from './ovok/routes.ts';
import { pixelmoverContract } from './pixelmover/routes.ts';
import { oidcContract } from './oidc/routes.ts';

/** Every API the server speaks; each is an encapsulated plugin with its own error style. */
export const contracts: readonly Contract[] = [
  { name: 'oidc', enabled: () => true, plugin: oidcContract },
  {
    name: 'admin',
    enabled: (config) => config.adminToken !== undefined,
    plugin: adminContract,
    urls: { prefix: /^\/admin(\/|\?|$)/, render: renderAdminProblem },
  },
  {
    name: 'ovok',
    enabled: (config) => config.contracts.ovok,
    plugin: ovokContract,
    urls: { prefix: /^\/(v2\/)?auth\//, render: (problem, request) => renderOvokProblem(problem, request.id) },
  },
  {
    name: 'pixelmover',
    enabled: (config) => config.contracts.pixelmover,
    plugin: pixelmoverContract,
    urls: { prefix: /^\/v1\//, render: renderPixelmoverProblem },
  },
  {
    name: 'jinuai',
    enabled: (config) => config.contracts.jinuai,
    plugin: jinuaiContract,
    urls: { prefix: /^\/api\/v1\//, render: renderJinuaiProblem },
  },
];
