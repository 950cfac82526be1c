import { createAccount } from '@nats-io/jwt'
import { describe, expect, it } from 'vitest'
import { BotCredentialIssuer } from './bot-credential-issuer.js'
import { loadBotCredentialIssuer } from './credential-settings.js'

describe('loadBotCredentialIssuer', () => {
  it('answers none on an open server and an issuer when the account is configured', () => {
    expect(loadBotCredentialIssuer({})).toBeUndefined()
    const account = createAccount()
    const issuer = loadBotCredentialIssuer({
      NATS_ACCOUNT_SIGNING_SEED: new TextDecoder().decode(createAccount().getSeed()),
      NATS_ACCOUNT: account.getPublicKey(),
    })
    expect(issuer).toBeInstanceOf(BotCredentialIssuer)
  })

  it('refuses a half configuration', () => {
    expect(() => loadBotCredentialIssuer({ NATS_CREDS: '/run/secrets/nats.creds' })).toThrow(
      /NATS_ACCOUNT_SIGNING_SEED is required/,
    )
    expect(() =>
      loadBotCredentialIssuer({
        NATS_ACCOUNT_SIGNING_SEED: new TextDecoder().decode(createAccount().getSeed()),
      }),
    ).toThrow(/NATS_ACCOUNT is required/)
  })
})
