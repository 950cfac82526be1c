import { describe, expect, it } from 'vitest'
import { ConfigError } from './config.js'
import {
  createGrpcAuth,
  credentialHash,
  credentialMatches,
  credentialService,
  formatGrpcAuth,
  grpcAuthOf,
  newServiceCredential,
  parseGrpcAuth,
} from './grpc-auth.js'

describe('service credentials', () => {
  it('name their service and carry 256 random bits', () => {
    const credential = newServiceCredential('task-catalog')
    expect(credential).toMatch(/^task-catalog\.[A-Za-z0-9_-]{43}$/)
    expect(credentialService(credential)).toBe('task-catalog')
    expect(newServiceCredential('task-catalog')).not.toBe(credential)
    expect(() => newServiceCredential('Task Catalog')).toThrow(ConfigError)
  })

  it('are recognised only in their own shape', () => {
    for (const text of ['', 'gateway', 'gateway.', '.abc', 'gateway.short', `Gateway.${'a'.repeat(43)}`]) {
      expect(credentialService(text), text).toBeUndefined()
    }
  })

  it('match only the hash of themselves', () => {
    const credential = newServiceCredential('gateway')
    const other = newServiceCredential('gateway')
    expect(credentialMatches(credential, [credentialHash(credential)])).toBe(true)
    expect(credentialMatches(credential, [credentialHash(other), credentialHash(credential)])).toBe(true)
    expect(credentialMatches(credential, [credentialHash(other)])).toBe(false)
    expect(credentialMatches(credential, [])).toBe(false)
  })
})

describe('service identities', () => {
  it('give each service its own credential and every service the hashes of all, not their secrets', () => {
    const auth = createGrpcAuth(['gateway', 'job-scheduler'])
    const gateway = auth.gateway!
    const scheduler = auth['job-scheduler']!
    expect(credentialService(gateway.credential)).toBe('gateway')
    expect(scheduler.peers).toEqual(gateway.peers)
    expect(scheduler.peers.gateway).toEqual([credentialHash(gateway.credential)])
    expect(formatGrpcAuth(scheduler)).not.toContain(gateway.credential)
  })

  it('refuse a credential filed under another service', () => {
    expect(() => grpcAuthOf({ gateway: newServiceCredential('task-catalog') })).toThrow(
      /does not name gateway/,
    )
  })

  it('read back what they write, and say what is wrong with a damaged file', () => {
    const auth = createGrpcAuth(['gateway', 'task-catalog'])['task-catalog']!
    expect(parseGrpcAuth(formatGrpcAuth(auth), 'file')).toEqual(auth)
    const broken: [string, RegExp][] = [
      ['{', /file: not JSON/],
      ['[]', /no valid "service"/],
      [
        JSON.stringify({ ...auth, credential: newServiceCredential('gateway') }),
        /not a credential of task-catalog/,
      ],
      [JSON.stringify({ ...auth, peers: { gateway: ['abc'] } }), /"peers.gateway" is not a list of SHA-256/],
      [JSON.stringify({ ...auth, peers: [] }), /no "peers" object/],
    ]
    for (const [text, message] of broken) expect(() => parseGrpcAuth(text, 'file'), text).toThrow(message)
  })
})
