/**
 * The password hash formats Gatehouse accepts: its own argon2id, and the legacy formats of the
 * products users are imported from (verified by the hash workers, see legacy-verify.mjs, and
 * replaced by argon2id at the user's next sign-in).
 */

/** Stored for a user imported without a password: never verifies; a password reset sets one. */
export const NO_PASSWORD = '!';

export interface Argon2Params {
  readonly memoryKib: number;
  readonly iterations: number;
  readonly parallelism: number;
}

export type HashScheme = 'argon2id' | 'argon2i' | 'bcrypt' | 'pbkdf2-sha256' | 'django-pbkdf2-sha256';

export type HashFormat =
  | { readonly ok: true; readonly scheme: HashScheme /** Hashes of one cost class take the same time to verify. */; readonly cost: string }
  | { readonly ok: false /** What the hash looked like, never the hash itself. */; readonly seen: string };

// Limits keep one imported hash from tying up a hash thread for minutes.
const MAX_PBKDF2_ROUNDS = 10_000_000;
const MAX_ARGON2_MEMORY_KIB = 4 * 1024 * 1024;
const MAX_ARGON2_ITERATIONS = 100;
const MAX_ARGON2_PARALLELISM = 16;

const BCRYPT = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;
const ARGON2 = /^\$(argon2id|argon2i)\$(?:v=(16|19)\$)?m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,3})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{16,})$/;
const PASSLIB_PBKDF2 = /^\$pbkdf2-sha256\$(\d{1,10})\$([./A-Za-z0-9]*)\$([./A-Za-z0-9]{43})$/;
const DJANGO_PBKDF2 = /^pbkdf2_sha256\$(\d{1,10})\$([^$]{1,128})\$([A-Za-z0-9+/]{43}=)$/;

/** Well-known formats Gatehouse does not verify, by their marks, for a clear import error. */
const KNOWN_OTHERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\$2[aby]\$/, 'bcrypt with a cost outside 4-31 or a malformed salt'],
  [/^\$2x\$/, 'bcrypt $2x$ (the buggy crypt_blowfish variant)'],
  [/^\$argon2d\$/, 'argon2d'],
  [/^\$argon2/, 'a malformed argon2 PHC string'],
  [/^\$1\$/, 'MD5-crypt ($1$)'],
  [/^\$apr1\$/, 'Apache MD5 ($apr1$)'],
  [/^\$5\$/, 'SHA-256-crypt ($5$)'],
  [/^\$6\$/, 'SHA-512-crypt ($6$)'],
  [/^\$[PH]\$/, 'phpass (WordPress/phpBB)'],
  [/^\$scrypt\$|^scrypt[:$]/, 'scrypt'],
  [/^\$pbkdf2(-sha1|-sha512)?\$/, 'passlib pbkdf2 with another digest than SHA-256'],
  [/^\$pbkdf2-sha256\$/, 'a malformed passlib pbkdf2-sha256 string'],
  [/^pbkdf2_sha256\$/, 'a malformed Django pbkdf2_sha256 string'],
  [/^(pbkdf2_sha1|sha1|md5|unsalted_md5|unsalted_sha1|crypt|bcrypt_sha256|argon2|scrypt)\$/, 'a Django hasher other than pbkdf2_sha256'],
  [/^\{[A-Z0-9-]+\}/, 'an LDAP {SCHEME} hash'],
  [/^[0-9a-f]{32}$/i, 'unsalted MD5 (32 hex characters)'],
  [/^[0-9a-f]{40}$/i, 'unsalted SHA-1 (40 hex characters)'],
  [/^[0-9a-f]{64}$/i, 'unsalted SHA-256 (64 hex characters)'],
  [/^[0-9a-f]{128}$/i, 'unsalted SHA-512 (128 hex characters)'],
];

/** Identifies a password hash, or names what it looked like. */
export function hashFormat(hash: string): HashFormat {
  let match = BCRYPT.exec(hash);
  if (match !== null) {
    const cost = Number(match[1]);
    if (cost >= 4 && cost <= 31) return { ok: true, scheme: 'bcrypt', cost: `bcrypt$${cost}` };
  }
  match = ARGON2.exec(hash);
  if (match !== null) {
    const [, variant, , m, t, p] = match;
    const memory = Number(m);
    const iterations = Number(t);
    const lanes = Number(p);
    const valid =
      lanes >= 1 &&
      lanes <= MAX_ARGON2_PARALLELISM &&
      iterations >= 1 &&
      iterations <= MAX_ARGON2_ITERATIONS &&
      memory >= 8 * lanes &&
      memory <= MAX_ARGON2_MEMORY_KIB;
    if (valid) return { ok: true, scheme: variant as 'argon2id' | 'argon2i', cost: `${variant}$m=${memory},t=${iterations},p=${lanes}` };
  }
  match = PASSLIB_PBKDF2.exec(hash) ?? DJANGO_PBKDF2.exec(hash);
  if (match !== null) {
    const rounds = Number(match[1]);
    const scheme = hash.startsWith('$') ? 'pbkdf2-sha256' : 'django-pbkdf2-sha256';
    if (rounds >= 1 && rounds <= MAX_PBKDF2_ROUNDS) return { ok: true, scheme, cost: `pbkdf2-sha256$${rounds}` };
    return { ok: false, seen: `${scheme} with ${rounds} rounds (1-${MAX_PBKDF2_ROUNDS} supported)` };
  }
  for (const [pattern, name] of KNOWN_OTHERS) if (pattern.test(hash)) return { ok: false, seen: name };
  const identifier = /^\$([A-Za-z0-9-]{1,20})\$/.exec(hash)?.[1] ?? /^([A-Za-z0-9_-]{1,20})\$/.exec(hash)?.[1];
  if (identifier !== undefined) return { ok: false, seen: `"${identifier}" hashes` };
  return { ok: false, seen: `an unrecognized format (${hash.length} characters)` };
}

/** The cost class of the hashes this server writes. */
export function currentCost(params: Argon2Params): string {
  return `argon2id$m=${params.memoryKib},t=${params.iterations},p=${params.parallelism}`;
}

/**
 * True when a stored hash is not argon2id with the server's current parameters: it is
 * replaced at the user's next successful sign-in (legacy imports, or after the parameters change).
 */
export function needsRehash(hash: string, params: Argon2Params): boolean {
  if (hash === NO_PASSWORD) return false;
  const format = hashFormat(hash);
  return !format.ok || format.cost !== currentCost(params) || !hash.startsWith('$argon2id$v=19$');
}
