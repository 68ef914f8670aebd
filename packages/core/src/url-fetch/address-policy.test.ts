import { isPublicAddress } from './address-policy';

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1',
    '::1', '::', 'fe80::1', 'fc00::1', 'ff02::1',
    // IPv4-mapped and IPv4-compatible IPv6, in both spellings: judged by the IPv4 inside.
    '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe',
    '::7f00:1', '::127.0.0.1', '::a00:1', '::10.0.0.1', '::a9fe:a9fe', '::169.254.169.254', '::c0a8:101', '0:0:0:0:0:0:7f00:1',
    // NAT64, 6to4 and Teredo embed IPv4 too; they are not plain unicast, so they stay refused.
    '64:ff9b::7f00:1', '2002:7f00:1::', '2001::1',
    'not-an-ip',
  ])('refuses %s', (ip) => expect(isPublicAddress(ip)).toBe(false));
  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '::808:808', '::8.8.8.8'])('allows %s', (ip) =>
    expect(isPublicAddress(ip)).toBe(true),
  );
});
