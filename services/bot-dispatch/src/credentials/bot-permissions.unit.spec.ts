import { createAccount, decode } from '@nats-io/jwt'
import { describe, expect, it } from 'vitest'
import { BotCredentialIssuer } from './bot-credential-issuer.js'
import { botInboxPrefix, botNatsPermissions } from './bot-permissions.js'

const BOT = '0195b7a0-0000-7000-8000-000000000001'
const seedOf = (key: ReturnType<typeof createAccount>) => new TextDecoder().decode(key.getSeed())

describe('botNatsPermissions', () => {
  it('allows only the bot’s own subjects, consumers and inbox', () => {
    const permissions = botNatsPermissions(BOT)
    expect(permissions.pub.allow).toEqual(
      expect.arrayContaining([
        `reports.${BOT}`,
        `heartbeats.${BOT}`,
        `scripts.${BOT}`,
        `secrets.${BOT}`,
        `$JS.API.CONSUMER.MSG.NEXT.DISPATCH.bot-${BOT}`,
        `$JS.API.CONSUMER.INFO.DISPATCH.bot-${BOT}`,
        `$JS.ACK.DISPATCH.bot-${BOT}.>`,
      ]),
    )
    expect(permissions.sub.allow).toContain(`_INBOX.${BOT}.>`)
    expect(botInboxPrefix(BOT)).toBe(`_INBOX.${BOT}`)
    for (const subject of [...permissions.pub.allow, ...permissions.sub.allow]) {
      // Every grant names this bot: no wildcard reaches past it.
      expect(subject === '$JS.API.INFO' || subject.includes(BOT)).toBe(true)
      expect(subject.replace(/\.>$/, '')).not.toMatch(/[*>]/)
    }
  })
})

describe('BotCredentialIssuer', () => {
  it('signs a user JWT of the account with the signing key and the bot’s permissions', async () => {
    const account = createAccount()
    const signing = createAccount()
    const issuer = BotCredentialIssuer.create({
      signingSeed: seedOf(signing),
      account: account.getPublicKey(),
    })
    const issued = await issuer.issue(BOT)
    expect(issued.seed).toMatch(/^SU/)
    expect(issued.inboxPrefix).toBe(`_INBOX.${BOT}`)
    const claims = decode<{ issuer_account: string; pub: unknown; sub: unknown }>(issued.jwt)
    expect(claims.iss).toBe(signing.getPublicKey())
    expect(claims.nats.issuer_account).toBe(account.getPublicKey())
    expect(claims.nats.pub).toEqual(botNatsPermissions(BOT).pub)
    expect(claims.nats.sub).toEqual(botNatsPermissions(BOT).sub)
    expect(claims.nats).toMatchObject({ allowed_connection_types: ['STANDARD'], type: 'user' })
  })

  it('signs with the account key itself when that is the seed given', async () => {
    const account = createAccount()
    const issuer = BotCredentialIssuer.create({
      signingSeed: seedOf(account),
      account: account.getPublicKey(),
    })
    const claims = decode<{ issuer_account?: string }>((await issuer.issue(BOT)).jwt)
    expect(claims.iss).toBe(account.getPublicKey())
    expect(claims.nats.issuer_account).toBeUndefined()
  })

  it('refuses keys of the wrong kind without echoing a seed', () => {
    const account = createAccount().getPublicKey()
    expect(() => BotCredentialIssuer.create({ signingSeed: 'SUnotanaccount', account })).toThrow(
      /must be an account seed/,
    )
    expect(() =>
      BotCredentialIssuer.create({ signingSeed: seedOf(createAccount()), account: 'UABC' }),
    ).toThrow(/NATS_ACCOUNT must be the public key of an account/)
  })
})
