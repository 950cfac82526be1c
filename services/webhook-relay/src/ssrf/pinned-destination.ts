import type { LookupAddress, LookupOptions } from 'node:dns'
import { lookup as dnsLookup } from 'node:dns/promises'
import type { LookupFunction } from 'node:net'
import type { AddressPolicy } from './address-policy.js'
import { formatIp, parseIp } from './ip-address.js'

/** Every address a host name resolves to. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true })

/** A destination the policy refuses; the attempt is recorded as refused with this message. */
export class RefusedDestinationError extends Error {
  override name = 'RefusedDestinationError'
}

/** The one address a delivery connects to, checked before connecting. */
export interface PinnedAddress {
  address: string
  family: 4 | 6
}

/**
 * Resolves `hostname` once and checks every address it resolves to: one refused address refuses the
 * whole name, so that a receiver cannot mix a public address with a private one and win a race. The
 * answer is the address to connect to (see {@link pinnedLookup}), so the address checked is the
 * address used. Literal addresses (any spelling) are checked without a lookup.
 */
export async function resolveDestination(
  hostname: string,
  policy: AddressPolicy,
  resolve: Resolver = systemResolver,
): Promise<PinnedAddress> {
  const literal = parseIp(hostname)
  if (literal !== undefined) {
    const address = formatIp(literal)
    const verdict = policy.check(address)
    if (!verdict.allowed) throw new RefusedDestinationError(`refused: ${verdict.reason}`)
    return { address, family: literal.family }
  }
  const name = hostname.toLowerCase()
  if (name === '' || name.includes('%'))
    throw new RefusedDestinationError(`refused: invalid host ${hostname}`)
  const addresses = await resolve(name)
  if (addresses.length === 0) throw new Error(`${hostname} resolves to no address`)
  for (const { address } of addresses) {
    const verdict = policy.check(address)
    if (!verdict.allowed) {
      throw new RefusedDestinationError(`refused: ${hostname} resolves to ${address}; ${verdict.reason}`)
    }
  }
  const first = addresses[0] as LookupAddress
  return { address: first.address, family: first.family === 6 ? 6 : 4 }
}

/** A `lookup` for http(s).request that answers the pinned address whatever it is asked. */
export function pinnedLookup(pinned: PinnedAddress): LookupFunction {
  return (_hostname: string, options: LookupOptions, callback) => {
    if (options.all === true) {
      const all: LookupAddress[] = [{ address: pinned.address, family: pinned.family }]
      ;(callback as (error: null, addresses: LookupAddress[]) => void)(null, all)
    } else {
      callback(null, pinned.address, pinned.family)
    }
  }
}
