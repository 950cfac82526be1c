import { describe, expect, it } from 'vitest'
import { NatsAuthError, natsAuthenticator, natsAuthFromEnv } from './nats-auth.js'

describe('natsAuthFromEnv', () => {
  it('answers none when nothing is set', () => {
    expect(natsAuthFromEnv({})).toEqual({ type: 'none' })
    expect(natsAuthFromEnv({ NATS_CREDS: ' ', NATS_TOKEN: '' })).toEqual({ type: 'none' })
  })

  it('reads each kind of credentials', () => {
    expect(natsAuthFromEnv({ NATS_CREDS: '/run/secrets/nats.creds' })).toEqual({
      type: 'creds-file',
      path: '/run/secrets/nats.creds',
    })
    expect(natsAuthFromEnv({ NATS_USER_JWT: 'eyJ.a.b', NATS_USER_SEED: 'SUABC' })).toEqual({
      type: 'jwt',
      jwt: 'eyJ.a.b',
      seed: 'SUABC',
    })
    expect(natsAuthFromEnv({ NATS_USER: 'svc', NATS_PASSWORD: 'pw' })).toEqual({
      type: 'user-password',
      user: 'svc',
      pass: 'pw',
    })
    expect(natsAuthFromEnv({ NATS_TOKEN: 't' })).toEqual({ type: 'token', token: 't' })
  })

  it('refuses half a pair and two kinds at once', () => {
    expect(() => natsAuthFromEnv({ NATS_USER_JWT: 'eyJ.a.b' })).toThrow(/go together/)
    expect(() => natsAuthFromEnv({ NATS_PASSWORD: 'pw' })).toThrow(/without NATS_USER/)
    expect(() => natsAuthFromEnv({ NATS_CREDS: '/x', NATS_TOKEN: 't' })).toThrow(NatsAuthError)
  })
})

describe('natsAuthenticator', () => {
  it('fails at once on an unreadable creds file or a seed that is not a user seed', () => {
    expect(natsAuthenticator({ type: 'none' })).toBeUndefined()
    expect(() => natsAuthenticator({ type: 'creds-file', path: '/nonexistent/nats.creds' })).toThrow(
      /cannot read the NATS credentials file \/nonexistent\/nats.creds \(ENOENT\)/,
    )
    expect(() => natsAuthenticator({ type: 'jwt', jwt: 'eyJ.a.b', seed: 'SAXYZ' })).toThrow(/SU/)
  })
})
