import { describe, expect, it } from 'vitest'
import { cidrContains, formatIp, parseCidr, parseIp, parseIpv4, parseIpv6 } from './ip-address.js'

const v4 = (text: string) => {
  const value = parseIpv4(text)
  return value === undefined ? undefined : formatIp({ family: 4, value })
}
const v6 = (text: string) => {
  const value = parseIpv6(text)
  return value === undefined ? undefined : formatIp({ family: 6, value })
}

describe('parseIpv4', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['0X7F000001', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0177.0000.0000.0001', '127.0.0.1'],
    ['0x7f.0.0.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['0', '0.0.0.0'],
    ['0x', '0.0.0.0'],
    ['169.254.43518', '169.254.169.254'],
    ['0xa9fea9fe', '169.254.169.254'],
    ['127.0.0.1.', '127.0.0.1'],
    ['255.255.255.255', '255.255.255.255'],
    ['4294967295', '255.255.255.255'],
  ])('reads %s as %s', (text, expected) => {
    expect(v4(text)).toBe(expected)
  })

  it.each([
    'example.com',
    '256.0.0.1',
    '1.2.3.4.5',
    '4294967296',
    '08.0.0.1',
    '1..2',
    '',
    '.',
    '1.2.3.256',
    '0x1g',
    '1e3',
    '-1',
  ])('is not an address: %s', (text) => {
    expect(parseIpv4(text)).toBeUndefined()
  })
})

describe('parseIpv6', () => {
  it.each([
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['::', '::'],
    ['[::]', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['::ffff:127.0.0.1', '::ffff:7f00:1'],
    ['[::ffff:7f00:1]', '::ffff:7f00:1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['FD00:EC2::254', 'fd00:ec2::254'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ])('reads %s as %s', (text, expected) => {
    expect(v6(text)).toBe(expected)
  })

  it.each([
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    '12345::',
    ':::',
    'g::1',
    '127.0.0.1',
    '::ffff:0177.0.0.1',
    '::ffff:127.1',
    '1:2:3:4:5:6:7::8',
  ])('is not an address: %s', (text) => {
    expect(parseIpv6(text)).toBeUndefined()
  })
})

describe('networks', () => {
  it('parses CIDRs and single addresses and tells membership', () => {
    const loopback = parseCidr('127.0.0.0/8')
    expect(cidrContains(loopback, parseIp('127.255.0.9')!)).toBe(true)
    expect(cidrContains(loopback, parseIp('128.0.0.1')!)).toBe(false)
    expect(cidrContains(loopback, parseIp('::1')!)).toBe(false)
    const one = parseCidr('10.1.2.3')
    expect(one.prefix).toBe(32)
    expect(cidrContains(one, parseIp('10.1.2.3')!)).toBe(true)
    expect(cidrContains(parseCidr('fc00::/7'), parseIp('fd12::1')!)).toBe(true)
    expect(cidrContains(parseCidr('0.0.0.0/0'), parseIp('8.8.8.8')!)).toBe(true)
  })

  it.each([
    '10.0.0.0/33',
    '10.0.0.0/-1',
    'example.com/8',
    '::/129',
    '10.0.0.0/8/1',
    '10.0.0.0/x',
    '10.0.0.0/',
  ])('refuses %s', (text) => {
    expect(() => parseCidr(text)).toThrow(/not a network/)
  })
})
