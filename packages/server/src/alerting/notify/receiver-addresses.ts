import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { Agent } from 'undici';

/**
 * Where a receiver made through the API may not connect, by the address it connects to, not only
 * by the URL as written: a name of the admin's own (a DNS record they control) may resolve to the
 * cloud's metadata service, and answer otherwise the next time it is asked (DNS rebinding). So
 * each connection resolves the name once, checks every address it got, and connects to the
 * checked one (the lookup of the connection is this check). Loopback and private addresses stay
 * allowed, as they are written in URLs (`api-receivers.ts`): receivers on the same host or network
 * are common. The rules file, which the operator writes, is not limited.
 */

const REFUSED = new BlockList();
// Link-local: where cloud metadata services answer (169.254.169.254, fe80::/10).
REFUSED.addSubnet('169.254.0.0', 16, 'ipv4');
REFUSED.addSubnet('fe80::', 10, 'ipv6');
// AWS's metadata service over IPv6.
REFUSED.addAddress('fd00:ec2::254', 'ipv6');
// "This network": 0.0.0.0 reaches this machine, as does `::`.
REFUSED.addSubnet('0.0.0.0', 8, 'ipv4');
REFUSED.addAddress('::', 'ipv6');

const LINK_LOCAL = new BlockList();
LINK_LOCAL.addSubnet('169.254.0.0', 16, 'ipv4');
LINK_LOCAL.addSubnet('fe80::', 10, 'ipv6');

/** An IPv4 address written in IPv6 (`::ffff:169.254.169.254`, `::ffff:a9fe:a9fe`), as IPv4; else `null`. */
function mappedIPv4(address: string): string | null {
  const match = /^::ffff:(?:0:)?(.+)$/i.exec(address);
  if (match === null) return null;
  const rest = match[1]!;
  if (isIPv4(rest)) return rest;
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(rest);
  if (hex === null) return null;
  const [high, low] = [Number.parseInt(hex[1]!, 16), Number.parseInt(hex[2]!, 16)];
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** Why an API receiver may not connect to `address` (an IP address), or `null` when it may. */
export function refusedAddress(address: string): string | null {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const v4 = isIPv4(bare) ? bare : mappedIPv4(bare);
  const [ip, family] = v4 !== null ? [v4, 'ipv4' as const] : isIPv6(bare) ? [bare, 'ipv6' as const] : [null, null];
  if (ip === null || family === null) return 'not an IP address';
  if (!REFUSED.check(ip, family)) return null;
  if (LINK_LOCAL.check(ip, family)) return 'a link-local address (where cloud metadata services answer)';
  if (ip === 'fd00:ec2::254') return 'a cloud metadata service';
  return 'the unspecified address (which reaches this machine)';
}

/** What a name resolves to: every address, as `dns.lookup` with `all` gives them. */
export type ResolveHost = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const systemResolve: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** A connection refused for the address its name resolved to: tried again, it would be again (until the name changes). */
export class RefusedAddressError extends Error {
  readonly code = 'ERR_SPOOR_REFUSED_ADDRESS';
}

type LookupCallback = (error: Error | null, address: string | Array<{ address: string; family: number }>, family?: number) => void;

/** A connection's `lookup`: resolves `hostname` once, refuses it when any address is refused, else answers what it checked. */
export function checkedLookup(resolve: ResolveHost = systemResolve) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    resolve(hostname).then(
      (addresses) => {
        if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
        for (const { address } of addresses) {
          const refused = refusedAddress(address);
          if (refused !== null) {
            return callback(new RefusedAddressError(`${hostname} resolves to ${address}, ${refused}; a receiver made through the API may not post there`), []);
          }
        }
        if (options.all === true) return callback(null, addresses);
        return callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: Error) => callback(error, []),
    );
  };
}

/** The connection pool of one API receiver: every connection it opens is to a checked address. */
export function checkedDispatcher(resolve?: ResolveHost): Agent {
  return new Agent({ connect: { lookup: checkedLookup(resolve) } });
}
