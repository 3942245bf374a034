import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { Agent, fetch } from 'undici';
import { RefusedAddressError, resolvedAddressesProblem, systemResolver, type AddressPolicy, type Resolver } from './address-policy';

/**
 * Connections that only reach addresses the {@link AddressPolicy} allows, judged on the addresses
 * the socket is about to connect to. Checking a base URL's name beforehand is not enough: a name
 * resolved again for the connection may answer differently (DNS rebinding), e.g. a public address
 * for the check and 169.254.169.254 a moment later. Here the name is resolved once per connection
 * and the very addresses checked are the ones handed to the socket.
 */

type LookupCallback = Parameters<LookupFunction>[2];

function wantedFamily(family: LookupOptions['family']): 4 | 6 | undefined {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return undefined;
}

/** The addresses `hostname` may be connected to, or the reason it may not. */
async function checkedAddresses(hostname: string, options: LookupOptions, policy: AddressPolicy, resolve: Resolver): Promise<LookupAddress[]> {
  const resolved = await resolve(hostname);
  const notAnAddress = resolved.find((address) => isIP(address) === 0);
  if (notAnAddress !== undefined) throw new RefusedAddressError(`TeleMessage host ${hostname} resolved to "${notAnAddress}", which is not an IP address; refused`);
  const problem = resolvedAddressesProblem(resolved, policy);
  if (problem !== undefined) throw new RefusedAddressError(`TeleMessage host ${hostname} resolved, when connecting, to an address refused: ${problem}`);
  const addresses: LookupAddress[] = resolved.map((address) => ({ address, family: isIP(address) }));
  const family = wantedFamily(options.family);
  const usable = family === undefined ? addresses : addresses.filter((a) => a.family === family);
  if (usable.length === 0) {
    throw Object.assign(new Error(`TeleMessage host ${hostname} has no ${family === undefined ? '' : `IPv${family} `}address`), { code: 'ENOTFOUND', hostname });
  }
  return usable;
}

/**
 * A `lookup` for `net.connect`/`tls.connect` that resolves with `resolve` and refuses, with
 * {@link RefusedAddressError}, a name any of whose addresses the policy refuses. It answers both
 * forms Node asks for: every address (`all: true`, used for automatic family selection) or one.
 */
export function checkedLookup(policy: AddressPolicy, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    checkedAddresses(hostname, options, policy, resolve).then(
      (addresses) => {
        const [first] = addresses as [LookupAddress, ...LookupAddress[]];
        if (options.all === true) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), []),
    );
  };
}

/** undici's fetch, and a dispatcher of its own whose every connection goes through {@link checkedLookup}. */
export interface CheckedConnections {
  fetch: typeof fetch;
  dispatcher: Agent;
}

/**
 * Opens {@link CheckedConnections}. Address literals are not looked up by Node: the caller checks
 * them from the URL (`assertHostAllowed`). undici is loaded here, on first use, not when the app starts:
 * an instance that only imports items never calls TeleMessage, and loading undici is about a
 * tenth of a second of a worker's start (`npm run bench:startup`).
 */
export async function openCheckedConnections(policy: AddressPolicy, resolve?: Resolver): Promise<CheckedConnections> {
  const undici = await import('undici');
  return { fetch: undici.fetch, dispatcher: new undici.Agent({ connect: { lookup: checkedLookup(policy, resolve) } }) };
}
