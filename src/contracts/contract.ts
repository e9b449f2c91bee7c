import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config.ts';
import type { GatehouseApi } from '../core/use-cases/index.ts';

/** What a contract is given: the core's use cases and the configuration, never the database. */
export interface ContractOptions {
  readonly api: GatehouseApi;
  readonly config: Config;
}

export interface Contract {
  readonly name: string;
  readonly enabled: (config: Config) => boolean;
  readonly plugin: FastifyPluginAsync<ContractOptions>;
}
