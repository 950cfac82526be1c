import type { LookupAddress } from 'node:dns'
import { describe, expect, it } from 'vitest'
import { AddressPolicy } from './address-policy.js'
import { pinnedLookup, RefusedDestinationError, resolveDestination } from './pinned-destination.js'

const policy = new AddressPolicy()
const resolverOf =
  (table: Record<string, LookupAddress[]>, calls: string[] = []) =>
  async (hostname: string) => {
    calls.push(hostname)
    return table[hostname] ?? []
  }

describe('resolveDestination', () => {
  it('pins the first address of a public name, resolving it once', async () => {
    const calls: string[] = []
    const resolve = resolverOf(
      {
        'hooks.example.com': [
          { address: '93.184.215.14', family: 4 },
          { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
        ],
      },
      calls,
    )
    await expect(resolveDestination('hooks.example.com', policy, resolve)).resolves.toEqual({
      address: '93.184.215.14',
      family: 4,
    })
    expect(calls).toEqual(['hooks.example.com'])
  })

  it('refuses a name when any of its addresses is refused', async () => {
    const resolve = resolverOf({
      'mixed.example.com': [
        { address: '93.184.215.14', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ],
      localhost: [{ address: '::1', family: 6 }],
      'metadata.example.com': [{ address: '169.254.169.254', family: 4 }],
    })
    await expect(resolveDestination('mixed.example.com', policy, resolve)).rejects.toThrow(
      'refused: mixed.example.com resolves to 127.0.0.1; 127.0.0.1 is loopback',
    )
    await expect(resolveDestination('localhost', policy, resolve)).rejects.toBeInstanceOf(
      RefusedDestinationError,
    )
    await expect(resolveDestination('metadata.example.com', policy, resolve)).rejects.toThrow(
      /cloud metadata/,
    )
  })

  it.each([
    '127.0.0.1',
    '2130706433',
    '0x7f000001',
    '0177.0.0.1',
    '127.1',
    '[::1]',
    '[::]',
    '[::ffff:127.0.0.1]',
  ])('checks the literal %s without resolving it', async (host) => {
    const calls: string[] = []
    await expect(resolveDestination(host, policy, resolverOf({}, calls))).rejects.toBeInstanceOf(
      RefusedDestinationError,
    )
    expect(calls).toEqual([])
  })

  it('answers an allowed literal in its canonical form', async () => {
    const allowing = new AddressPolicy(['127.0.0.0/8'])
    await expect(resolveDestination('2130706433', allowing, resolverOf({}))).resolves.toEqual({
      address: '127.0.0.1',
      family: 4,
    })
  })

  it('fails (not refused) when a name resolves to nothing', async () => {
    const error = await resolveDestination('nowhere.example.com', policy, resolverOf({})).catch(
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(Error)
    expect(error).not.toBeInstanceOf(RefusedDestinationError)
  })
})

describe('pinnedLookup', () => {
  it('answers the pinned address in both callback forms', () => {
    const lookup = pinnedLookup({ address: '93.184.215.14', family: 4 })
    const single: unknown[] = []
    lookup('other.example.com', {}, (...args: unknown[]) => single.push(...args))
    expect(single).toEqual([null, '93.184.215.14', 4])
    const all: unknown[] = []
    lookup('other.example.com', { all: true }, (...args: unknown[]) => all.push(...args))
    expect(all).toEqual([null, [{ address: '93.184.215.14', family: 4 }]])
  })
})
