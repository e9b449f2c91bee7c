import type { Contract } from './contract.ts';
import { adminContract } from './admin/routes.ts';
import { jinuaiContract } from './jinuai/routes.ts';
import { ovokContract } from './ovok/routes.ts';
import { pixelmoverContract } from './pixelmover/routes.ts';
import { oidcContract } from './oidc/routes.ts';

/** Every API the server speaks; each is an encapsulated plugin with its own error style. */
export const contracts: readonly Contract[] = [
  { name: 'oidc', enabled: () => true, plugin: oidcContract },
  { name: 'admin', enabled: (config) => config.adminToken !== undefined, plugin: adminContract },
  { name: 'ovok', enabled: (config) => config.contracts.ovok, plugin: ovokContract },
  { name: 'pixelmover', enabled: (config) => config.contracts.pixelmover, plugin: pixelmoverContract },
  { name: 'jinuai', enabled: (config) => config.contracts.jinuai, plugin: jinuaiContract },
];
