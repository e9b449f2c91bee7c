import type { GatehouseApi } from '../../core/use-cases/index.ts';
import { endpoint } from '../routes.ts';
import { signInChart } from './chart.ts';
import { actorOf } from './operator.ts';
import { renderConsole } from './render.ts';

const DAY_MS = 24 * 3600 * 1000;

/** GET /console: users, sign-ins of the last 24 h (chart), lockouts, hash queue, mail queue, signing-key age. */
export const overviewPage = (api: GatehouseApi) =>
  endpoint({
    schema: { hide: true },
    handler: async (request, reply) => {
      const figures = await api.console.overview.figures(actorOf(request));
      const totals = figures.signIns.reduce((sum, hour) => ({ success: sum.success + hour.success, failure: sum.failure + hour.failure }), {
        success: 0,
        failure: 0,
      });
      const keyAgeDays =
        figures.signingKey === undefined ? undefined : Math.floor((Date.now() - figures.signingKey.createdAt.getTime()) / DAY_MS);
      return renderConsole(reply, request, 'overview', {
        title: 'Overview',
        figures,
        totals,
        keyAgeDays,
        chart: signInChart(figures.signIns),
      });
    },
  });
