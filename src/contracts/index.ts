import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config.ts';
import type { Core } from '../core/index.ts';
import { adminContract } from './admin/index.ts';
import { jinuaiContract } from './jinuai/index.ts';
import { ovokContract } from './ovok/index.ts';
import { pixelmoverContract } from './pixelmover/index.ts';
import { wellKnownContract } from './well-known/index.ts';

export interface ContractOptions {
  readonly core: Core;
}

export interface Contract {
  readonly name: string;
  readonly enabled: (config: Config) => boolean;
  readonly plugin: FastifyPluginAsync<ContractOptions>;
}

/** Every API the server speaks; each is an encapsulated plugin with its own error style. */
export const contracts: readonly Contract[] = [
  { name: 'well-known', enabled: () => true, plugin: wellKnownContract },
  { name: 'admin', enabled: (config) => config.adminToken !== undefined, plugin: adminContract },
  { name: 'ovok', enabled: (config) => config.contracts.ovok, plugin: ovokContract },
  { name: 'pixelmover', enabled: (config) => config.contracts.pixelmover, plugin: pixelmoverContract },
  { name: 'jinuai', enabled: (config) => config.contracts.jinuai, plugin: jinuaiContract },
];
