import ipaddr from 'ipaddr.js';

/**
 * Only globally routable unicast addresses may be fetched by default: a user-supplied URL must not reach the
 * server's own network (loopback, private, link-local incl. cloud metadata at 169.254.169.254, CGNAT, multicast…).
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return ip.range() === 'unicast';
}
