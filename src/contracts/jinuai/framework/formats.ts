/**
 * pydantic's parsing of emails (through the `email_validator` package), dates and UUIDs,
 * with the reasons it gives, so that 422 answers read like JinuAI's own. Each returns the
 * normalized value or the reason it was refused.
 */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const no = (reason: string): Parsed<never> => ({ ok: false, reason });

/** RFC 5322 atext plus the dot; anything non-ASCII is allowed (internationalized addresses). */
const LOCAL_CHAR = /[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.\u0080-\u{10FFFF}]/u;
const DOMAIN_CHAR = /[A-Za-z0-9\-.\u0080-\u{10FFFF}]/u;
/** Reserved names email_validator refuses (RFC 6761 and others). */
const SPECIAL_USE = ['arpa', 'invalid', 'local', 'localhost', 'onion', 'test'];
const PRETTY = /^ *([\w ]*?) *<(.+?)> *$/u;

/** email_validator's display of a refused character: quoted if visible, else its name. */
function show(char: string): string {
  if (char === ' ') return 'SPACE';
  if (char === '\\') return '"\\"';
  if (/^[\p{L}\p{N}\p{P}\p{S}]$/u.test(char)) return char === "'" ? `"'"` : `'${char}'`;
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

function badChars(text: string, allowed: RegExp): string | undefined {
  const bad = [...new Set([...text].filter((char) => !allowed.test(char)))].sort();
  return bad.length === 0 ? undefined : bad.map(show).join(', ');
}

function tooMany(count: number): string {
  return `(${count} character${count === 1 ? '' : 's'} too many)`;
}

/** pydantic's EmailStr: accepts `Name <address>`, strips spaces, lower-cases the domain. */
export function parseEmail(input: string): Parsed<string> {
  if (input.length > 2048) return no('Length must not exceed 2048 characters');
  const pretty = PRETTY.exec(input);
  const email = (pretty?.[2] ?? input).trim();
  const at = email.indexOf('@');
  if (at < 0) return no('An email address must have an @-sign.');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local === '') return no('There must be something before the @-sign.');
  if (domain === '') return no('There must be something after the @-sign.');

  const localBad = badChars(local, LOCAL_CHAR);
  if (localBad !== undefined) return no(`The email address contains invalid characters before the @-sign: ${localBad}.`);
  if (local.startsWith('.')) return no('An email address cannot start with a period.');
  if (local.endsWith('.')) return no('An email address cannot have a period immediately before the @-sign.');
  if (local.includes('..')) return no('An email address cannot have two periods in a row.');

  if (domain.startsWith('[')) return no('A bracketed IP address after the @-sign is not allowed here.');
  const domainBad = badChars(domain, DOMAIN_CHAR);
  if (domainBad !== undefined) return no(`The part after the @-sign contains invalid characters: ${domainBad}.`);
  if (domain.startsWith('.')) return no('An email address cannot have a period immediately after the @-sign.');
  if (domain.endsWith('.')) return no('An email address cannot end with a period.');
  if (domain.includes('..')) return no('An email address cannot have two periods in a row.');
  if (domain.startsWith('-')) return no('An email address cannot have a hyphen immediately after the @-sign.');
  if (domain.endsWith('-')) return no('An email address cannot end with a hyphen.');
  if (domain.includes('.-') || domain.includes('-.')) return no('An email address cannot have a period and a hyphen next to each other.');
  if (domain.length > 253) return no('The email address is too long after the @-sign.');
  const labels = domain.toLowerCase().split('.');
  if (labels.length < 2) return no('The part after the @-sign is not valid. It should have a period.');
  if (/^\d+$/.test(labels[labels.length - 1]!))
    return no('The part after the @-sign is not valid. It is not within a valid top-level domain.');
  if (SPECIAL_USE.some((name) => domain.toLowerCase() === name || domain.toLowerCase().endsWith(`.${name}`))) {
    return no('The part after the @-sign is a special-use or reserved name that cannot be used with email.');
  }
  const normalized = `${local.normalize('NFC')}@${domain.toLowerCase()}`;
  if (normalized.length > 254) return no(`The email address is too long ${tooMany(normalized.length - 254)}.`);
  return ok(normalized);
}

/** A date given as a datetime whose time is not midnight: pydantic refuses it with its own error type. */
export const INEXACT = 'inexact';

const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * pydantic's lax `date` (speedate): 'YYYY-MM-DD', a datetime at exactly midnight, or a unix
 * timestamp (seconds, or milliseconds beyond 2e10) of a midnight. Anything with a time of day
 * is refused with the reason INEXACT.
 */
export function parseDate(input: string | number): Parsed<string> {
  if (typeof input === 'number' || /^-?\d+(\.\d+)?$/.test(input)) {
    let seconds = Number(input);
    if (Math.abs(seconds) > 2e10) seconds /= 1000;
    if (!Number.isInteger(seconds) || seconds % 86_400 !== 0 || Math.abs(seconds) > 8e12) return no(INEXACT);
    return ok(new Date(seconds * 1000).toISOString().slice(0, 10));
  }
  if (input.length < 10) return no('input is too short');
  if (!/^\d{4}$/.test(input.slice(0, 4))) return no('invalid character in year');
  if (input[4] !== '-') return no('invalid date separator, expected `-`');
  if (!/^\d{2}$/.test(input.slice(5, 7))) return no('invalid character in month');
  if (input[7] !== '-') return no('invalid date separator, expected `-`');
  if (!/^\d{2}$/.test(input.slice(8, 10))) return no('invalid character in day');
  const year = Number(input.slice(0, 4));
  const month = Number(input.slice(5, 7));
  const day = Number(input.slice(8, 10));
  if (month < 1 || month > 12) return no('month value is outside expected range of 1-12');
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > days) return no('day value is outside expected range');
  const date = input.slice(0, 10);
  if (input.length === 10) return ok(date);
  if (!'Tt_ '.includes(input[10]!)) return no('invalid datetime separator, expected `T`, `t`, `_` or space');
  const time = input.slice(11);
  if (time.length < 5) return no('input is too short');
  const match = TIME.exec(time);
  if (match === null) return no('invalid character in hour');
  const [hour, minute, second, fraction] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0), Number(match[4] ?? 0)];
  if (hour > 23) return no('hour value is outside expected range of 0-23');
  if (minute > 59) return no('minute value is outside expected range of 0-59');
  if (second > 59) return no('second value is outside expected range of 0-59');
  return hour === 0 && minute === 0 && second === 0 && fraction === 0 ? ok(date) : no(INEXACT);
}

/** pydantic's UUID from a string (the `uuid` crate): hyphenated, simple, braced or `urn:uuid:`. */
export function parseUuid(input: string): Parsed<string> {
  let text = input;
  let simple = false;
  if (text.toLowerCase().startsWith('urn:uuid:')) text = text.slice(9);
  else if (text.startsWith('{') && text.endsWith('}') && text.length > 1) text = text.slice(1, -1);
  else simple = true;
  for (const [index, char] of [...text].entries()) {
    if (char !== '-' && !/^[0-9a-fA-F]$/.test(char)) return no(`invalid character: found \`${char}\` at ${index + 1}`);
  }
  const groups = text.split('-');
  if (groups.length === 1 && simple) {
    if (text.length !== 32) return no(`invalid length: expected length 32 for simple format, found ${text.length}`);
    text = `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
  } else {
    if (groups.length !== 5) return no(`invalid group count: expected 5, found ${groups.length}`);
    const sizes = [8, 4, 4, 4, 12];
    for (let g = 0; g < 5; g += 1) {
      if (groups[g]!.length !== sizes[g])
        return no(`invalid group length in group ${g}: expected ${sizes[g]!}, found ${groups[g]!.length}`);
    }
  }
  return ok(text.toLowerCase());
}
