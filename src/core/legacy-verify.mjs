// Verification of every password hash format Gatehouse accepts (see password-formats.ts), run
// on the hash worker threads only: bcrypt, argon2 and PBKDF2 all block for tens to hundreds of ms.
// Plain JavaScript because the workers load it as is, next to the bundle as next to the sources.
import { pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { verifySync as argon2Verify } from '@node-rs/argon2';
import { verifySync as bcryptVerify } from '@node-rs/bcrypt';

const BCRYPT = /^\$2[aby]\$\d{2}\$/;
const PASSLIB_PBKDF2 = /^\$pbkdf2-sha256\$(\d{1,10})\$([./A-Za-z0-9]*)\$([./A-Za-z0-9]{43})$/;
const DJANGO_PBKDF2 = /^pbkdf2_sha256\$(\d{1,10})\$([^$]{1,128})\$([A-Za-z0-9+/]{43}=)$/;
const MAX_PBKDF2_ROUNDS = 10_000_000;

/** passlib's "adapted base64": `.` for `+`, no padding. */
function ab64(text) {
  return Buffer.from(text.replace(/\./g, '+'), 'base64');
}

function pbkdf2Matches(password, salt, rounds, expected) {
  if (!(rounds >= 1 && rounds <= MAX_PBKDF2_ROUNDS) || expected.length !== 32) return false;
  return timingSafeEqual(pbkdf2Sync(password, salt, rounds, 32, 'sha256'), expected);
}

/** True when the password matches; false for a wrong password and for any malformed hash. */
export function verifyPassword(hash, password) {
  try {
    if (hash.startsWith('$argon2i')) return argon2Verify(hash, password);
    if (BCRYPT.test(hash)) return bcryptVerify(password, hash);
    let match = PASSLIB_PBKDF2.exec(hash);
    if (match !== null) return pbkdf2Matches(password, ab64(match[2]), Number(match[1]), ab64(match[3]));
    match = DJANGO_PBKDF2.exec(hash);
    // Django uses the salt as text, as stored.
    if (match !== null) return pbkdf2Matches(password, Buffer.from(match[2], 'utf8'), Number(match[1]), Buffer.from(match[3], 'base64'));
  } catch {
    // A malformed stored hash never matches.
  }
  return false;
}
