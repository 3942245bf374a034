import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Which hosts a TeleMessage base URL may name. A connector's base URL is given by an administrator
 * and read back from a table row by the function app, which then sends the TeleMessage password to
 * it: it must not reach the app's own platform (the instance metadata service, Azure's WireServer)
 * or the private network around it. Loopback is allowed in local development only, where the
 * TeleMessage simulator runs (known from the storage: see `isLocalDevelopmentStorage`).
 */
export interface AddressPolicy {
  allowLoopback: boolean;
}

/** A base URL names, or resolves to, an address the policy refuses. */
export class RefusedAddressError extends Error {
  override readonly name = 'RefusedAddressError';
}

type AddressKind = 'loopback' | 'link-local' | 'private' | 'metadata' | 'unspecified, multicast or reserved' | 'IPv4-in-IPv6 translation';

function list(entries: readonly (readonly [string, number, 'ipv4' | 'ipv6'])[]): BlockList {
  const blockList = new BlockList();
  for (const [network, prefix, family] of entries) blockList.addSubnet(network, prefix, family);
  return blockList;
}

// Node's BlockList matches an IPv4-mapped IPv6 address (::ffff:a9fe:a9fe) against IPv4 subnets too.
const KINDS: readonly (readonly [AddressKind, BlockList])[] = [
  // Instance metadata (Azure, AWS, GCP, ...; AWS's IPv6 one) and Azure's WireServer.
  ['metadata', list([['169.254.169.254', 32, 'ipv4'], ['168.63.129.16', 32, 'ipv4'], ['fd00:ec2::254', 128, 'ipv6']])],
  ['loopback', list([['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']])],
  ['link-local', list([['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']])],
  [
    'private',
    list([
      ['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4'],
      // Carrier-grade NAT (also cloud-internal services, e.g. 100.100.100.200) and IETF protocol assignments.
      ['100.64.0.0', 10, 'ipv4'], ['192.0.0.0', 24, 'ipv4'], ['198.18.0.0', 15, 'ipv4'],
      ['fc00::', 7, 'ipv6'], ['fec0::', 10, 'ipv6'],
    ]),
  ],
  [
    'unspecified, multicast or reserved',
    list([['0.0.0.0', 8, 'ipv4'], ['224.0.0.0', 4, 'ipv4'], ['240.0.0.0', 4, 'ipv4'], ['::', 128, 'ipv6'], ['ff00::', 8, 'ipv6']]),
  ],
  // Forms that carry an IPv4 address to a translator, which could then reach any of the above.
  ['IPv4-in-IPv6 translation', list([['64:ff9b::', 96, 'ipv6'], ['64:ff9b:1::', 48, 'ipv6'], ['2002::', 16, 'ipv6'], ['::', 96, 'ipv6']])],
];

/** Host names of instance metadata services and of the machine itself. */
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'metadata.azure.internal', 'instance-data', 'instance-data.ec2.internal']);

/** Why an IP address (as `net.isIP` reads it, without brackets) may not be reached; undefined when it may. */
export function addressProblem(address: string, policy: AddressPolicy): string | undefined {
  const family = isIP(address);
  if (family === 0) return undefined;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [kind, blockList] of KINDS) {
    if (!blockList.check(address, type)) continue;
    if (kind === 'loopback' && policy.allowLoopback) return undefined;
    return kind === 'loopback'
      ? `${address} is a loopback address, allowed in local development only (storage on the local emulator)`
      : `${address} is a ${kind} address`;
  }
  return undefined;
}

/**
 * Why the URL's host may not be reached, judged from the URL alone: an address literal (WHATWG URL
 * has already turned decimal, octal and hexadecimal IPv4 forms into dotted decimal, and
 * `[::ffff:169.254.169.254]` into `[::ffff:a9fe:a9fe]`), `localhost` and its subdomains, and the
 * metadata services' names.
 */
export function hostProblem(url: URL, policy: AddressPolicy): string | undefined {
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const literal = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(literal) !== 0) return addressProblem(literal, policy);
  if (METADATA_NAMES.has(host)) return `${host} is an instance metadata service`;
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return policy.allowLoopback ? undefined : `${host} is the machine itself (loopback), allowed in local development only (storage on the local emulator)`;
  }
  return undefined;
}

/** Throws {@link RefusedAddressError} when the base URL's host is refused as written, before any lookup. */
export function assertHostAllowed(url: URL, policy: AddressPolicy): void {
  const problem = hostProblem(url, policy);
  if (problem !== undefined) throw new RefusedAddressError(`TeleMessage base URL ${url.origin}: ${problem}; refused`);
}

/** The first problem among the addresses a name resolves to: every one must pass, since a connection may try any of them. */
export function resolvedAddressesProblem(addresses: readonly string[], policy: AddressPolicy): string | undefined {
  for (const address of addresses) {
    const problem = addressProblem(address, policy);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** Every address a host name resolves to now; injectable so that tests can make a name change its answer. */
export type Resolver = (hostname: string) => Promise<readonly string[]>;

export const systemResolver: Resolver = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Checks the URL's host, then every address its name resolves to now, and throws
 * {@link RefusedAddressError} naming the first problem. A name that does not resolve is let
 * through: the request then fails as unreachable, with TeleMessage's own error.
 */
export async function checkBaseUrlHost(baseUrl: string, policy: AddressPolicy, resolve: Resolver = systemResolver): Promise<void> {
  const url = new URL(baseUrl);
  assertHostAllowed(url, policy);
  const host = url.hostname.replace(/\.$/, '');
  if (isIP(host.replace(/^\[|\]$/g, '')) !== 0) return;
  let addresses: readonly string[];
  try {
    addresses = await resolve(host);
  } catch {
    return;
  }
  const problem = resolvedAddressesProblem(addresses, policy);
  if (problem !== undefined) throw new RefusedAddressError(`TeleMessage base URL ${url.origin}: ${host} resolves to an address refused: ${problem}`);
}
