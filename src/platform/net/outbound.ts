/**
 * Which addresses the server may send outbound requests to (webhooks). Loopback, link-local,
 * unspecified, multicast, broadcast and cloud-metadata addresses are always refused; private
 * ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) only when PINGAN_WEBHOOK_ALLOW lists
 * them (CIDRs or host names, comma-separated). Loopback can be allowed only under NODE_ENV=test
 * with PINGAN_WEBHOOK_TEST_LOOPBACK=1, for the test receivers; never in production.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

const always = new net.BlockList();
always.addSubnet('127.0.0.0', 8, 'ipv4');
always.addSubnet('0.0.0.0', 8, 'ipv4');
always.addSubnet('169.254.0.0', 16, 'ipv4');
always.addSubnet('224.0.0.0', 4, 'ipv4');
always.addSubnet('240.0.0.0', 4, 'ipv4');
always.addAddress('::1', 'ipv6');
always.addAddress('::', 'ipv6');
always.addSubnet('fe80::', 10, 'ipv6');
always.addSubnet('ff00::', 8, 'ipv6');
always.addAddress('fd00:ec2::254', 'ipv6');

const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const privateRanges = new net.BlockList();
privateRanges.addSubnet('10.0.0.0', 8, 'ipv4');
privateRanges.addSubnet('172.16.0.0', 12, 'ipv4');
privateRanges.addSubnet('192.168.0.0', 16, 'ipv4');
privateRanges.addSubnet('100.64.0.0', 10, 'ipv4');
privateRanges.addSubnet('fc00::', 7, 'ipv6');

const metadataNames = new Set(['metadata.google.internal', 'metadata', 'metadata.goog', 'instance-data']);

/** The operator's allow-list: CIDRs into a BlockList, host names into a set. */
function allowList(raw = process.env.PINGAN_WEBHOOK_ALLOW ?? ''): { nets: net.BlockList; names: Set<string> } {
  const nets = new net.BlockList();
  const names = new Set<string>();
  for (const item of raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    const [addr, bits] = item.split('/');
    const family = net.isIP(addr);
    if (family) nets.addSubnet(addr, Number(bits ?? (family === 4 ? 32 : 128)), family === 4 ? 'ipv4' : 'ipv6');
    else names.add(item);
  }
  return { nets, names };
}

export function testLoopbackAllowed(): boolean {
  return process.env.NODE_ENV === 'test' && process.env.PINGAN_WEBHOOK_TEST_LOOPBACK === '1';
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d or ::ffff:xxxx:xxxx) as its IPv4 form. */
function unmap(ip: string): string {
  const m = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(ip);
  if (!m) return ip;
  if (m[1]) return m[1];
  const hi = parseInt(m[2], 16), lo = parseInt(m[3], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Why an address may not be connected to, or null when it may. */
export function refusedAddress(rawIp: string, allowRaw?: string, hostname?: string): string | null {
  const ip = unmap(rawIp.replace(/^\[|\]$/g, '').toLowerCase());
  const family = net.isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  if (testLoopbackAllowed() && loopback.check(ip, family)) return null;
  if (always.check(ip, family)) return 'loopback, link-local, unspecified, multicast or metadata address';
  const allowed = allowList(allowRaw);
  if (privateRanges.check(ip, family) && !allowed.nets.check(ip, family) && !(hostname && allowed.names.has(hostname.toLowerCase()))) return 'private address not in PINGAN_WEBHOOK_ALLOW';
  return null;
}

/** Why a URL's host may not be sent to (checked on its literal address or name), or null. */
export function refusedHost(url: URL, allowRaw?: string): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  if (net.isIP(host)) return refusedAddress(host, allowRaw);
  if (metadataNames.has(host)) return 'cloud metadata host';
  if ((host === 'localhost' || host.endsWith('.localhost')) && !testLoopbackAllowed()) return 'loopback host name';
  return null;
}

export class RefusedAddressError extends Error {
  code = 'EADDRREFUSED';
}

type LookupFn = (hostname: string, options: dns.LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => void;

/**
 * A `lookup` for http(s).request that resolves the name and refuses a forbidden address, so the
 * address checked is the one connected to (DNS rebinding is caught at connect time).
 */
export function guardedLookup(resolve: LookupFn = dns.lookup as unknown as LookupFn, allowRaw?: string) {
  return (hostname: string, options: dns.LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const bad = addresses.map((a) => [a, refusedAddress(a.address, allowRaw, hostname)] as const).find(([, why]) => why);
      if (bad) return callback(new RefusedAddressError(`refused address ${bad[0].address} for ${hostname}: ${bad[1]}`), '', 0);
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

export interface OutboundPost {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** tests inject a resolver; production uses the system's */
  resolve?: LookupFn;
}

/**
 * POST `body` to `url`, connecting only to an allowed address (checked on the literal host and on
 * every resolved address); a redirect is answered as its status, never followed. Resolves the status.
 */
export function postOutbound(rawUrl: string, post: OutboundPost): Promise<number> {
  const url = new URL(rawUrl);
  const why = refusedHost(url);
  if (why) return Promise.reject(new RefusedAddressError(`refused ${url.hostname}: ${why}`));
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolveStatus, reject) => {
    const req = lib.request(url, {
      method: 'POST',
      headers: { ...post.headers, 'content-length': String(Buffer.byteLength(post.body)) },
      lookup: guardedLookup(post.resolve) as unknown as typeof dns.lookup,
      timeout: post.timeoutMs,
    }, (res) => {
      res.resume(); // the answer's body is not read
      resolveStatus(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`timeout after ${post.timeoutMs} ms`), { name: 'TimeoutError' })));
    req.on('error', reject);
    req.end(post.body);
  });
}
