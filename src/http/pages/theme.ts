/**
 * Per-project colours as CSS custom properties. The pages' CSP allows no inline style, so a
 * project's theme is a stylesheet whose URL names its colour (`/assets/theme/1a73e8.css`): the
 * content follows from the URL alone and is cached for good. WCAG 2.1 AA is kept whatever colour
 * an admin picks: button text is black or white, whichever contrasts more with the colour (at
 * least 4.58:1 for any colour), and text and focus rings drawn in the colour on the page's
 * backgrounds use it darkened until it reaches 4.5:1.
 */

export const DEFAULT_PRIMARY = '#1d4ed8';
/** The darkest background text in the brand colour is drawn on (--page of pages.css; cards are white). */
const PAGE_BACKGROUND = '#f3f4f6';
const AA_TEXT = 4.5;

function channels(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

function toHex(rgb: readonly number[]): string {
  return `#${rgb.map((channel) => Math.round(channel).toString(16).padStart(2, '0')).join('')}`;
}

/** Relative luminance (WCAG 2.1). */
export function luminance(hex: string): number {
  const [r, g, b] = channels(hex).map((channel) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Contrast ratio (WCAG 2.1), from 1 to 21. */
export function contrast(a: string, b: string): number {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (high + 0.05) / (low + 0.05);
}

/** Black or white, whichever is more readable on the colour. */
export function textOn(color: string): '#000000' | '#ffffff' {
  return contrast(color, '#000000') >= contrast(color, '#ffffff') ? '#000000' : '#ffffff';
}

/** The colour itself when it reads as text on the page background, else the closest darker shade that does. */
export function inkOf(color: string, background = PAGE_BACKGROUND): string {
  const rgb = channels(color);
  for (let step = 0; step <= 20; step += 1) {
    const shade = toHex(rgb.map((channel) => channel * (1 - step / 20)));
    if (contrast(shade, background) >= AA_TEXT) return shade;
  }
  return '#000000';
}

/** The theme stylesheet of one primary colour (`#rrggbb`). */
export function themeCss(color: string): string {
  return `:root {\n  --brand: ${color};\n  --brand-text: ${textOn(color)};\n  --brand-ink: ${inkOf(color)};\n}\n`;
}

/** The URL of a colour's theme stylesheet, or undefined for the default colours of pages.css. */
export function themeUrl(color: string | undefined): string | undefined {
  return color === undefined || color === DEFAULT_PRIMARY ? undefined : `/assets/theme/${color.slice(1)}.css`;
}
