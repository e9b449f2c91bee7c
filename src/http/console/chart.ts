import type { HourCount } from '../../core/statistics.ts';

const WIDTH = 720;
const HEIGHT = 200;
const LEFT = 40;
const BOTTOM = 24;
const TOP = 8;

/** A readable step for the value axis: 1, 2 or 5 times a power of ten. */
function niceMax(value: number): number {
  if (value <= 4) return 4;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/**
 * Sign-ins per hour over the last 24 hours as an SVG bar chart, drawn on the server: successful
 * (blue) and failed (red) bars side by side, four grid lines.
 * Only numbers and hours go into the markup. The page also lists the figures in a table for
 * screen readers; the SVG is labelled by its title.
 */
export function signInChart(hours: readonly HourCount[]): string {
  const max = niceMax(Math.max(0, ...hours.map((hour) => Math.max(hour.success, hour.failure))));
  const plotWidth = WIDTH - LEFT;
  const plotHeight = HEIGHT - BOTTOM - TOP;
  const slot = plotWidth / Math.max(hours.length, 1);
  const bar = Math.max(2, (slot - 4) / 2);
  const y = (value: number): number => TOP + plotHeight - (value / max) * plotHeight;
  const parts: string[] = [];
  for (let line = 0; line <= 4; line += 1) {
    const value = (max / 4) * line;
    parts.push(
      `<line x1="${LEFT}" x2="${WIDTH}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" class="grid"/>`,
      `<text x="${LEFT - 6}" y="${(y(value) + 4).toFixed(1)}" text-anchor="end" class="axis">${Math.round(value)}</text>`,
    );
  }
  hours.forEach((hour, index) => {
    const x = LEFT + index * slot + 2;
    const label = `${String(hour.hour.getUTCHours()).padStart(2, '0')}:00`;
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${y(hour.success).toFixed(1)}" width="${bar.toFixed(1)}" height="${(y(0) - y(hour.success)).toFixed(1)}" class="bar-success"><title>${label} UTC: ${hour.success} successful</title></rect>`,
      `<rect x="${(x + bar).toFixed(1)}" y="${y(hour.failure).toFixed(1)}" width="${bar.toFixed(1)}" height="${(y(0) - y(hour.failure)).toFixed(1)}" class="bar-failure"><title>${label} UTC: ${hour.failure} failed</title></rect>`,
    );
    if (index % 4 === 0)
      parts.push(`<text x="${(x + bar).toFixed(1)}" y="${HEIGHT - 6}" text-anchor="middle" class="axis">${label}</text>`);
  });
  return [
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">`,
    '<title id="chart-title">Sign-ins per hour over the last 24 hours (UTC): successful and failed</title>',
    ...parts,
    '</svg>',
  ].join('');
}
