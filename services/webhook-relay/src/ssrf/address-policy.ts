import {
  type Cidr,
  cidrContains,
  formatIp,
  type IpAddress,
  mappedIpv4,
  parseCidr,
  parseIp,
} from './ip-address.js'

/** Whether a webhook may connect to an address, and if not, why. */
export type AddressVerdict = { allowed: true } | { allowed: false; reason: string }

/**
 * Ranges a webhook must never reach: they lead into the operator's own network, the host itself or a
 * cloud's metadata service. More specific entries come first so that the reason names them.
 */
const REFUSED: readonly (readonly [cidr: string, name: string])[] = [
  ['169.254.169.254/32', 'a cloud metadata address'],
  ['fd00:ec2::254/128', 'a cloud metadata address'],
  ['0.0.0.0/8', 'unspecified ("this network")'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared address space (CGNAT)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved (IETF protocol assignments)'],
  ['192.0.2.0/24', 'reserved (documentation)'],
  ['192.88.99.0/24', 'reserved (6to4 relay anycast)'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved (benchmarking)'],
  ['198.51.100.0/24', 'reserved (documentation)'],
  ['203.0.113.0/24', 'reserved (documentation)'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::/96', 'reserved (IPv4-compatible)'],
  ['64:ff9b:1::/48', 'reserved (local-use NAT64)'],
  ['100::/64', 'reserved (discard-only)'],
  ['2001:db8::/32', 'reserved (documentation)'],
  ['2001::/23', 'reserved (IETF protocol assignments)'],
  ['fc00::/7', 'private (unique local)'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'reserved (site-local)'],
  ['ff00::/8', 'multicast'],
]

const REFUSED_NETWORKS: readonly { cidr: Cidr; name: string }[] = REFUSED.map(([cidr, name]) => ({
  cidr: parseCidr(cidr),
  name,
}))
const NAT64 = parseCidr('64:ff9b::/96')
const SIX_TO_FOUR = parseCidr('2002::/16')
const GLOBAL_UNICAST_V6 = parseCidr('2000::/3')

/** IPv4 addresses an IPv6 address carries and reaches (mapped, NAT64, 6to4). */
function embeddedIpv4(ip: IpAddress): IpAddress | undefined {
  const mapped = mappedIpv4(ip)
  if (mapped !== undefined) return mapped
  if (cidrContains(NAT64, ip)) return { family: 4, value: ip.value & 0xffffffffn }
  if (cidrContains(SIX_TO_FOUR, ip)) return { family: 4, value: (ip.value >> 80n) & 0xffffffffn }
  return undefined
}

/** The name of the refused range `ip` is in, or undefined for a public address. */
export function refusedRange(ip: IpAddress): string | undefined {
  const inner = embeddedIpv4(ip)
  if (inner !== undefined) return refusedRange(inner)
  const hit = REFUSED_NETWORKS.find((network) => cidrContains(network.cidr, ip))
  if (hit !== undefined) return hit.name
  if (ip.family === 6 && !cidrContains(GLOBAL_UNICAST_V6, ip)) return 'reserved (not global unicast)'
  return undefined
}

/**
 * Decides which addresses webhooks may connect to: every public address, and non-public ones only
 * inside the operator's allowed networks (`WEBHOOK_ALLOW_NETWORKS`).
 *
 * @example
 * const policy = new AddressPolicy(['10.1.0.0/16'])
 * policy.check('10.1.2.3') // { allowed: true }
 * policy.check('::ffff:127.0.0.1') // { allowed: false, reason: '127.0.0.1 is loopback' }
 */
export class AddressPolicy {
  readonly #allowed: readonly Cidr[]

  /** Throws when an entry of `allowNetworks` is not a CIDR or address. */
  constructor(allowNetworks: readonly string[] = []) {
    this.#allowed = allowNetworks.map((network) => parseCidr(network))
  }

  check(address: string): AddressVerdict {
    const ip = parseIp(address)
    if (ip === undefined) return { allowed: false, reason: `${JSON.stringify(address)} is not an IP address` }
    const inner = embeddedIpv4(ip)
    const candidates = inner === undefined ? [ip] : [ip, inner]
    if (this.#allowed.some((cidr) => candidates.some((candidate) => cidrContains(cidr, candidate)))) {
      return { allowed: true }
    }
    const range = refusedRange(ip)
    if (range === undefined) return { allowed: true }
    const shown = formatIp(inner ?? ip)
    return { allowed: false, reason: `${shown} is ${range}` }
  }
}
