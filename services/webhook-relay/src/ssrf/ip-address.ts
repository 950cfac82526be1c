/** An IP address as a number: 32 bits for IPv4, 128 for IPv6. */
export interface IpAddress {
  family: 4 | 6
  value: bigint
}

/** A network: the address with every bit past `prefix` cleared. */
export interface Cidr {
  family: 4 | 6
  base: bigint
  prefix: number
}

const bitsOf = (family: 4 | 6) => (family === 4 ? 32 : 128)

/** One part of a legacy IPv4 spelling: decimal, `0x` hexadecimal or `0`-led octal. */
function ipv4Part(part: string): bigint | undefined {
  if (/^0x[0-9a-f]*$/i.test(part)) return part.length === 2 ? 0n : BigInt(part)
  if (/^0[0-7]+$/.test(part)) return BigInt(`0o${part.slice(1)}`)
  if (/^(0|[1-9][0-9]*)$/.test(part)) return BigInt(part)
  return undefined
}

/**
 * Parses IPv4 in every spelling `inet_aton` and URL parsers accept: one to four parts, each decimal,
 * hexadecimal or octal, the last one filling the remaining bytes (`127.1`, `2130706433`,
 * `0x7f000001`, `0177.0.0.1`). A name that is not such a spelling answers undefined.
 */
export function parseIpv4(text: string): bigint | undefined {
  const trimmed = text.endsWith('.') ? text.slice(0, -1) : text
  if (trimmed === '') return undefined
  const parts = trimmed.split('.')
  if (parts.length > 4) return undefined
  const numbers: bigint[] = []
  for (const part of parts) {
    const value = ipv4Part(part)
    if (value === undefined) return undefined
    numbers.push(value)
  }
  const last = numbers.pop() as bigint
  let value = 0n
  for (const [index, number] of numbers.entries()) {
    if (number > 255n) return undefined
    value |= number << BigInt(8 * (3 - index))
  }
  if (last >= 1n << BigInt(8 * (4 - numbers.length))) return undefined
  return value | last
}

/** Parses IPv6 (brackets and a zone index allowed, an embedded dotted IPv4 tail too). */
export function parseIpv6(text: string): bigint | undefined {
  let body = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text
  const zone = body.indexOf('%')
  if (zone >= 0) body = body.slice(0, zone)
  if (!body.includes(':')) return undefined
  const halves = body.split('::')
  if (halves.length > 2) return undefined
  const groupsOf = (half: string): number[] | undefined => {
    if (half === '') return []
    const out: number[] = []
    const pieces = half.split(':')
    for (const [index, piece] of pieces.entries()) {
      if (index === pieces.length - 1 && piece.includes('.')) {
        if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(piece)) return undefined
        const v4 = parseIpv4(piece)
        if (v4 === undefined || piece.split('.').some((octet) => octet.length > 1 && octet.startsWith('0')))
          return undefined
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn))
      } else {
        if (!/^[0-9a-f]{1,4}$/i.test(piece)) return undefined
        out.push(Number.parseInt(piece, 16))
      }
    }
    return out
  }
  const head = groupsOf(halves[0] ?? '')
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : []
  if (head === undefined || tail === undefined) return undefined
  const missing = 8 - head.length - tail.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail]
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n)
}

/** Parses an address literal of either family, in any spelling; undefined for a host name. */
export function parseIp(text: string): IpAddress | undefined {
  const v6 = parseIpv6(text)
  if (v6 !== undefined) return { family: 6, value: v6 }
  const v4 = parseIpv4(text)
  return v4 === undefined ? undefined : { family: 4, value: v4 }
}

/** The canonical text: dotted quad, or RFC 5952 IPv6 (longest zero run compressed). */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((ip.value >> shift) & 0xffn)).join('.')
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((ip.value >> BigInt(16 * (7 - i))) & 0xffffn))
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const hex = groups.map((group) => group.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`); undefined otherwise. */
export function mappedIpv4(ip: IpAddress): IpAddress | undefined {
  if (ip.family !== 6 || ip.value >> 32n !== 0xffffn) return undefined
  return { family: 4, value: ip.value & 0xffffffffn }
}

/** Parses `address/prefix` (or a lone address: a network of one). Throws on anything else. */
export function parseCidr(text: string): Cidr {
  const [address = '', prefixText, ...rest] = text.trim().split('/')
  const ip = parseIp(address)
  if (ip === undefined || rest.length > 0) throw new Error(`not a network: ${JSON.stringify(text)}`)
  const bits = bitsOf(ip.family)
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) {
    throw new Error(`not a network: ${JSON.stringify(text)}`)
  }
  const prefix = prefixText === undefined ? bits : Number(prefixText)
  if (prefix > bits) {
    throw new Error(`not a network: ${JSON.stringify(text)}`)
  }
  return { family: ip.family, base: maskOf(ip.value, prefix, bits), prefix }
}

function maskOf(value: bigint, prefix: number, bits: number): bigint {
  const host = BigInt(bits - prefix)
  return (value >> host) << host
}

/** Whether `ip` lies inside `cidr` (same family only). */
export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  return cidr.family === ip.family && maskOf(ip.value, cidr.prefix, bitsOf(ip.family)) === cidr.base
}
