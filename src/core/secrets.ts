import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random secret with a recognizable prefix (secret scanners match on it). */
export function newSecret(prefix: string, bytes = 32): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

/** Tokens, secrets and API keys are stored only as this digest. High-entropy input, so no salt is needed. */
export function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = digest(a);
  const right = digest(b);
  return timingSafeEqual(left, right);
}
