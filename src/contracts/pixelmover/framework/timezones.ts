/**
 * Laravel's `timezone` rule: the value must be one of PHP's DateTimeZone::listIdentifiers(),
 * the current IANA zone names of the continents and oceans, plus "UTC" (exact case; the old
 * aliases such as "US/Eastern" are refused). ICU lists some zones under an older spelling
 * ("Asia/Calcutta" for "Asia/Kolkata"), so a name in IANA form that ICU resolves also counts.
 */
const REGIONS = /^(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific)(\/[A-Z][A-Za-z0-9_+-]*)+$/;

const known = new Set<string>([...Intl.supportedValuesOf('timeZone'), 'UTC']);

export function isTimezone(value: string): boolean {
  if (value === 'UTC') return true;
  if (!REGIONS.test(value)) return false;
  if (known.has(value)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
