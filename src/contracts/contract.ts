import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config.ts';
import type { GatehouseApi } from '../core/use-cases/index.ts';
import type { ProblemRenderer } from '../http/error-mapping.ts';

/** What a contract is given: the core's use cases and the configuration, never the database. */
export interface ContractOptions {
  readonly api: GatehouseApi;
  readonly config: Config;
}

export interface Contract {
  readonly name: string;
  readonly enabled: (config: Config) => boolean;
  readonly plugin: FastifyPluginAsync<ContractOptions>;
  /**
   * The contract's URLs and renderer, for the failures Fastify answers before any route is found
   * (a path with an invalid percent-escape such as `%FF`): answered in the contract's style too.
   */
  readonly urls?: { readonly prefix: RegExp; readonly render: ProblemRenderer };
}
