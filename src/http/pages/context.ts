import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config.ts';
import { brandingOf, type Branding } from '../../core/branding.ts';
import { isGatehouseError } from '../../core/errors.ts';
import { DEFAULT_TENANT, type TenantRef } from '../../core/use-cases/tenants.ts';
import type { GatehouseApi } from '../../core/use-cases/index.ts';
import type { AssetUrls } from './assets.ts';
import { themeUrl } from './theme.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** What page rendering needs in any scope: set once on the root app by installPages. */
    pages: PageSupport;
  }
}

/** A project's look as the layout uses it. */
export interface Brand {
  readonly name: string;
  /** Whether the name is the project's own (else it is "Gatehouse"). */
  readonly named: boolean;
  /** The project's logo, or Gatehouse's own (assets/logo.svg). */
  readonly logoUrl: string;
  /** The theme stylesheet of the project's primary colour; undefined for the default colours. */
  readonly themeUrl: string | undefined;
}

const NO_BRANDING: Branding = { displayName: undefined, logoUrl: undefined, primaryColor: undefined };

export class PageSupport {
  constructor(
    readonly api: GatehouseApi,
    readonly config: Config,
    private readonly assets: AssetUrls,
  ) {}

  /** The versioned URL of a file of assets/ (throws for a file that is not there: a typo fails the first render). */
  asset(file: string): string {
    const url = this.assets[file];
    if (url === undefined) throw new Error(`No asset ${file} in src/http/pages/assets/`);
    return url;
  }

  /**
   * The look of a tenant's pages. A page about an unknown client or project still renders, in
   * Gatehouse's own look; so does any page while the database is unreachable.
   */
  async brand(tenant: TenantRef = DEFAULT_TENANT, log?: FastifyBaseLogger): Promise<Brand> {
    let project: Awaited<ReturnType<GatehouseApi['tenants']['project']>> | undefined;
    try {
      project = await this.api.tenants.project(tenant);
    } catch (error) {
      if (!isGatehouseError(error)) log?.warn({ err: error }, 'page branding unavailable: rendering the default look');
    }
    const branding = project === undefined ? NO_BRANDING : brandingOf(project.settings);
    const name = branding.displayName ?? (project === undefined || project.is_default ? undefined : project.name);
    return {
      name: name ?? 'Gatehouse',
      named: name !== undefined,
      logoUrl: branding.logoUrl ?? this.asset('logo.svg'),
      themeUrl: themeUrl(branding.primaryColor),
    };
  }
}
