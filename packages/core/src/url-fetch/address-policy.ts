import ipaddr from 'ipaddr.js';

/**
 * Only globally routable unicast addresses may be fetched by default: a user-supplied URL must not reach the
 * server's own network (loopback, private, link-local incl. cloud metadata at 169.254.169.254, CGNAT, multicast…).
 * An IPv6 address that carries an IPv4 one in its low 32 bits — IPv4-mapped `::ffff:a.b.c.d` and the deprecated
 * IPv4-compatible `::a.b.c.d` (`::7f00:1` is 127.0.0.1) — is judged by that IPv4 address, as a dual-stack socket
 * would reach it.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6') ip = embeddedIpv4(ip as ipaddr.IPv6) ?? ip;
  return ip.range() === 'unicast';
}

/** The IPv4 address inside `::ffff:0:0/96` or `::/96`, else undefined. */
function embeddedIpv4(ip: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  if (ip.isIPv4MappedAddress()) return ip.toIPv4Address();
  const [a, b, c, d, e, f, g, h] = ip.parts as number[];
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && f === 0) {
    return new ipaddr.IPv4([g! >> 8, g! & 0xff, h! >> 8, h! & 0xff]);
  }
  return undefined;
}
