import type { FieldProblem } from './errors.ts';

/**
 * A project's look on the hosted pages (`project.settings.branding`): the name shown to users,
 * a logo and the primary colour. Validated when an admin stores it and read defensively (rows
 * written before validation existed fall back field by field), because all three end up in
 * HTML, a stylesheet and the Content-Security-Policy's img-src.
 */
export interface Branding {
  readonly displayName: string | undefined;
  /** An absolute https: URL (the pages' CSP allows images from https: and the server itself). */
  readonly logoUrl: string | undefined;
  /** `#rrggbb`, lower case. */
  readonly primaryColor: string | undefined;
}

const MAX_NAME = 80;
const MAX_URL = 2048;

/** `#rgb` or `#rrggbb` as `#rrggbb` lower case, else undefined. */
export function normalizeColor(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(value.trim());
  if (short) return `#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}`.toLowerCase();
  return /^#[0-9a-f]{6}$/i.test(value.trim()) ? value.trim().toLowerCase() : undefined;
}

/** An https: URL without credentials, else undefined. */
export function normalizeLogoUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_URL) return undefined;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return undefined;
  return url.href;
}

function normalizeName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const name = value.replace(/\s+/g, ' ').trim();
  return name !== '' && name.length <= MAX_NAME ? name : undefined;
}

/** The usable branding of stored settings; anything invalid is left out. */
export function brandingOf(settings: Readonly<Record<string, unknown>>): Branding {
  const raw = settings.branding;
  const own = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  return {
    displayName: normalizeName(own.displayName),
    logoUrl: normalizeLogoUrl(own.logoUrl),
    primaryColor: normalizeColor(own.primaryColor),
  };
}

/** What is wrong with a `branding` object an admin wants to store (null or absent fields are fine). */
export function brandingProblems(raw: unknown): FieldProblem[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw)) return [{ field: 'settings.branding', message: 'Must be an object' }];
  const own = raw as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const given = (name: string): boolean => own[name] !== undefined && own[name] !== null;
  for (const name of Object.keys(own)) {
    if (!['displayName', 'logoUrl', 'primaryColor'].includes(name))
      problems.push({ field: `settings.branding.${name}`, message: 'Unknown branding field' });
  }
  if (given('displayName') && normalizeName(own.displayName) === undefined) {
    problems.push({ field: 'settings.branding.displayName', message: `Must be a name of 1 to ${MAX_NAME} characters` });
  }
  if (given('logoUrl') && normalizeLogoUrl(own.logoUrl) === undefined) {
    problems.push({ field: 'settings.branding.logoUrl', message: 'Must be an https: URL without credentials' });
  }
  if (given('primaryColor') && normalizeColor(own.primaryColor) === undefined) {
    problems.push({ field: 'settings.branding.primaryColor', message: 'Must be a hex colour such as #1a73e8' });
  }
  return problems;
}
