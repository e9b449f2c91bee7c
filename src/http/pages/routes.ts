import type { Config } from '../../config.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import type { RouteTable } from '../routes.ts';
import { landing } from './landing.ts';

/**
 * Every URL of the hosted pages, and the file that answers it. Routes here get the form body
 * parser, the CSRF check on every state-changing method and the error page (see index.ts);
 * state-changing ones also declare their rate-limit budget, like every route.
 */
export const pageRoutes = (_api: GatehouseApi, config: Config): RouteTable => [
  ['GET', '/', landing(config)], // landing.ts
];
