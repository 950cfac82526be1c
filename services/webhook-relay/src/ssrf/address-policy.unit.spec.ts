import { describe, expect, it } from 'vitest'
import { AddressPolicy } from './address-policy.js'

const policy = new AddressPolicy()
const reason = (address: string, p = policy) => {
  const verdict = p.check(address)
  return verdict.allowed ? 'allowed' : verdict.reason
}

describe('AddressPolicy', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1 is loopback'],
    ['127.8.9.10', '127.8.9.10 is loopback'],
    ['::1', '::1 is loopback'],
    ['0.0.0.0', '0.0.0.0 is unspecified ("this network")'],
    ['::', ':: is unspecified'],
    ['10.0.0.1', '10.0.0.1 is private'],
    ['172.16.0.1', '172.16.0.1 is private'],
    ['172.31.255.255', '172.31.255.255 is private'],
    ['192.168.1.1', '192.168.1.1 is private'],
    ['169.254.169.254', '169.254.169.254 is a cloud metadata address'],
    ['fd00:ec2::254', 'fd00:ec2::254 is a cloud metadata address'],
    ['169.254.1.1', '169.254.1.1 is link-local'],
    ['fe80::1', 'fe80::1 is link-local'],
    ['100.64.0.1', '100.64.0.1 is shared address space (CGNAT)'],
    ['100.127.255.255', '100.127.255.255 is shared address space (CGNAT)'],
    ['198.18.0.1', '198.18.0.1 is reserved (benchmarking)'],
    ['198.19.255.1', '198.19.255.1 is reserved (benchmarking)'],
    ['192.0.2.10', '192.0.2.10 is reserved (documentation)'],
    ['224.0.0.1', '224.0.0.1 is multicast'],
    ['ff02::1', 'ff02::1 is multicast'],
    ['240.0.0.1', '240.0.0.1 is reserved'],
    ['255.255.255.255', '255.255.255.255 is broadcast'],
    ['fc00::1', 'fc00::1 is private (unique local)'],
    ['fd12:3456::1', 'fd12:3456::1 is private (unique local)'],
    ['2001:db8::1', '2001:db8::1 is reserved (documentation)'],
    ['100::1', '100::1 is reserved (discard-only)'],
    ['::127.0.0.1', '::7f00:1 is reserved (IPv4-compatible)'],
    ['4000::1', '4000::1 is reserved (not global unicast)'],
  ])('refuses %s', (address, expected) => {
    expect(reason(address)).toBe(expected)
  })

  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1 is loopback'],
    ['::ffff:7f00:1', '127.0.0.1 is loopback'],
    ['[::ffff:a9fe:a9fe]', '169.254.169.254 is a cloud metadata address'],
    ['::ffff:10.0.0.1', '10.0.0.1 is private'],
    ['64:ff9b::7f00:1', '127.0.0.1 is loopback'],
    ['64:ff9b::a9fe:a9fe', '169.254.169.254 is a cloud metadata address'],
    ['2002:7f00:1::1', '127.0.0.1 is loopback'],
    ['2002:c0a8:101::', '192.168.1.1 is private'],
  ])('looks inside IPv6 that carries IPv4: %s', (address, expected) => {
    expect(reason(address)).toBe(expected)
  })

  it.each([
    ['2130706433', '127.0.0.1 is loopback'],
    ['0x7f000001', '127.0.0.1 is loopback'],
    ['0177.0.0.1', '127.0.0.1 is loopback'],
    ['127.1', '127.0.0.1 is loopback'],
    ['0', '0.0.0.0 is unspecified ("this network")'],
    ['[::]', ':: is unspecified'],
    ['[::1]', '::1 is loopback'],
  ])('refuses the unusual spelling %s', (address, expected) => {
    expect(reason(address)).toBe(expected)
  })

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('allows the public address %s', (address) => {
    expect(reason(address)).toBe('allowed')
  })

  it('allows what the operator allows, and nothing more', () => {
    const allowing = new AddressPolicy(['127.0.0.0/8', '10.20.0.0/16', 'fd00::/8'])
    expect(reason('127.0.0.1', allowing)).toBe('allowed')
    expect(reason('::ffff:127.0.0.1', allowing)).toBe('allowed')
    expect(reason('10.20.3.4', allowing)).toBe('allowed')
    expect(reason('fd00::5', allowing)).toBe('allowed')
    expect(reason('10.21.0.1', allowing)).toBe('10.21.0.1 is private')
    expect(reason('::1', allowing)).toBe('::1 is loopback')
    expect(reason('169.254.169.254', allowing)).toBe('169.254.169.254 is a cloud metadata address')
  })

  it('says so when given no address at all', () => {
    expect(reason('example.com')).toBe('"example.com" is not an IP address')
  })

  it('refuses a malformed allowed network at construction', () => {
    expect(() => new AddressPolicy(['10.0.0.0/40'])).toThrow(/not a network/)
  })
})
