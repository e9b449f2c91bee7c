import { isIPv6 } from 'node:net';

/**
 * The unit that per-address budgets and lockouts count: an IPv4 address, or an IPv6 /64.
 * One IPv6 subscriber usually holds a whole /64 (and privacy extensions rotate addresses inside
 * it), so counting single IPv6 addresses would give an attacker 2^64 budgets, and would make a
 * user's own device look new every day.
 */
export function addressKey(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  if (!isIPv6(address)) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]?.split('::') ?? [];
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
