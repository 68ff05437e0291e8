import { hostname, networkInterfaces } from 'node:os';

/** Names a loopback Spoor answers to. */
const LOOPBACK = ['localhost', '127.0.0.1', '::1'];
const ANY_ADDRESS = ['0.0.0.0', '::', ''];

/** The host name of a `Host` header: no port, no IPv6 brackets, lowercase, no trailing dot. */
export function hostOf(header: string): string {
  let host = header.trim().toLowerCase();
  if (host.startsWith('[')) host = host.slice(1, host.indexOf(']') === -1 ? undefined : host.indexOf(']'));
  else if (host.indexOf(':') === host.lastIndexOf(':')) host = host.split(':', 1)[0]!;
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

export interface HostCheckConfig {
  /** The address bound. */
  host: string;
  /** The address people reach Spoor at (`--external-url`), if set. */
  externalUrl: string | null;
  /** More names to answer to (`--allowed-hosts`); `*` answers to any. */
  allowedHosts: readonly string[];
}

/**
 * Which `Host` headers Spoor answers: its loopback names, the address it binds (every address
 * of this machine, and its name, when it binds them all), the external URL's host and the
 * allowed hosts. A page on another site that points its own name at 127.0.0.1 (DNS rebinding)
 * sends its own name, and is refused. A request without a `Host` (HTTP/1.0) comes from no
 * browser and is answered.
 */
export function hostChecker(config: HostCheckConfig): (header: string | undefined) => boolean {
  if (config.allowedHosts.includes('*')) return () => true;
  const allowed = new Set([...LOOPBACK, ...config.allowedHosts.map(hostOf)]);
  const bound = hostOf(config.host);
  if (ANY_ADDRESS.includes(bound)) {
    allowed.add(hostname().toLowerCase());
    for (const addresses of Object.values(networkInterfaces())) for (const a of addresses ?? []) allowed.add(a.address.toLowerCase());
  } else allowed.add(bound);
  if (config.externalUrl !== null) allowed.add(new URL(config.externalUrl).hostname.replace(/^\[|\]$/g, '').toLowerCase());
  return (header) => header === undefined || allowed.has(hostOf(header));
}
