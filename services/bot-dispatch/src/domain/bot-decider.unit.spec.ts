import { deciderSpec } from '@taskforge/testkit/decider-spec'
import { describe, expect, it } from 'vitest'
import { type BotDomainEvent, botDecider, botNameProblem, type RegisterBot } from './bot-decider.js'
import { hashSecret } from './secret-hash.js'

const spec = deciderSpec(botDecider)
const botId = '01900000-0000-7000-8000-0000000000b1'
const secretHash = hashSecret('s3cret')
const register: RegisterBot = {
  type: 'RegisterBot',
  botId,
  customer: 'acme',
  name: 'build-01.eu_west',
  secretHash,
  natsUser: 'UBOTONE',
}
const registered: BotDomainEvent = {
  $case: 'registered',
  value: { botId, customer: 'acme', name: 'build-01.eu_west', secretHash, natsUser: 'UBOTONE' },
}

describe('bot decider', () => {
  describe('RegisterBot', () => {
    it('registers a bot with the hash of its secret', () => {
      spec([]).when(register).then([registered])
    })
    it('refuses to register the same bot twice', () => {
      spec([registered]).when(register).thenFails('CONFLICT')
    })
    it('requires a customer', () => {
      spec([])
        .when({ ...register, customer: '' })
        .thenFails('VALIDATION_FAILED', { field: 'customer' })
    })
    it('refuses a missing, long or odd name', () => {
      for (const name of ['', 'x'.repeat(101), 'has space', 'slash/name', 'dots*', 'é']) {
        spec([])
          .when({ ...register, name })
          .thenFails('VALIDATION_FAILED', { field: 'name' })
      }
    })
    it('accepts a name of exactly 100 characters', () => {
      const name = 'n'.repeat(100)
      spec([])
        .when({ ...register, name })
        .then([{ $case: 'registered', value: { ...registered.value, name } } as BotDomainEvent])
    })
    it('refuses something that is not a SHA-256 hash', () => {
      spec([])
        .when({ ...register, secretHash: 's3cret' })
        .thenFails('VALIDATION_FAILED', { field: 'secret_hash' })
    })
  })

  describe('RotateCredentials and DeleteBot', () => {
    const rotate = {
      type: 'RotateCredentials' as const,
      customer: 'acme',
      secretHash: hashSecret('new'),
      natsUser: 'UBOTTWO',
    }
    const rotated: BotDomainEvent = {
      $case: 'credentialsRotated',
      value: { botId, secretHash: hashSecret('new'), natsUser: 'UBOTTWO', revokedNatsUser: 'UBOTONE' },
    }
    const deleted = (revokedNatsUser: string): BotDomainEvent => ({
      $case: 'deleted',
      value: { botId, revokedNatsUser },
    })
    it('rotates to a new NATS user and revokes the one held', () => {
      spec([registered]).when(rotate).then([rotated])
      spec([registered, rotated])
        .when({ ...rotate, natsUser: 'UBOTTHREE' })
        .then([
          {
            $case: 'credentialsRotated',
            value: { ...rotated.value, natsUser: 'UBOTTHREE', revokedNatsUser: 'UBOTTWO' },
          } as BotDomainEvent,
        ])
    })
    it('deletes a bot and revokes the NATS user it holds now', () => {
      spec([registered])
        .when({ type: 'DeleteBot', customer: 'acme' })
        .then([deleted('UBOTONE')])
      spec([registered, rotated])
        .when({ type: 'DeleteBot', customer: 'acme' })
        .then([deleted('UBOTTWO')])
    })
    it('finds no bot of another organization, none deleted, and none unknown', () => {
      for (const given of [[], [registered, deleted('UBOTONE')]]) {
        spec(given).when({ type: 'DeleteBot', customer: 'acme' }).thenFails('NOT_FOUND')
        spec(given).when(rotate).thenFails('NOT_FOUND')
      }
      spec([registered]).when({ type: 'DeleteBot', customer: 'globex' }).thenFails('NOT_FOUND')
      spec([registered])
        .when({ ...rotate, customer: 'globex' })
        .thenFails('NOT_FOUND')
    })
    it('records no presence of a deleted bot', () => {
      const online: BotDomainEvent = { $case: 'cameOnline', value: { botId } }
      spec([registered, online, deleted('UBOTONE')])
        .when({ type: 'MarkOnline' })
        .then([])
      spec([registered, online, deleted('UBOTONE')])
        .when({ type: 'MarkOffline', reason: 'silent', lastSeen: undefined })
        .then([])
    })
  })

  describe('presence', () => {
    const online: BotDomainEvent = { $case: 'cameOnline', value: { botId } }
    const lastSeen = new Date('2025-01-01T00:00:00Z')
    const offline: BotDomainEvent = {
      $case: 'wentOffline',
      value: { botId, reason: 'no heartbeat for 15s', lastSeen },
    }
    const markOffline = { type: 'MarkOffline' as const, reason: 'no heartbeat for 15s', lastSeen }
    it('marks a registered bot online once', () => {
      spec([registered]).when({ type: 'MarkOnline' }).then([online])
      spec([registered, online]).when({ type: 'MarkOnline' }).then([])
      spec([registered, online, offline]).when({ type: 'MarkOnline' }).then([online])
    })
    it('marks an online bot offline once', () => {
      spec([registered, online]).when(markOffline).then([offline])
      spec([registered, online, offline]).when(markOffline).then([])
      spec([registered]).when(markOffline).then([])
    })
    it('refuses presence of an unknown bot', () => {
      spec([]).when({ type: 'MarkOnline' }).thenFails('NOT_FOUND')
      spec([]).when(markOffline).thenFails('NOT_FOUND')
    })
  })

  it('folds presence events into state', () => {
    const fold = (events: BotDomainEvent[]) => events.reduce(botDecider.evolve, botDecider.initialState())
    const online: BotDomainEvent = { $case: 'cameOnline', value: { botId } }
    const offline: BotDomainEvent = {
      $case: 'wentOffline',
      value: { botId, reason: 'silent', lastSeen: undefined },
    }
    expect(fold([registered])).toMatchObject({ botId, customer: 'acme', online: false })
    expect(fold([registered, online])).toMatchObject({ online: true })
    expect(fold([registered, online, offline])).toMatchObject({ online: false })
  })

  it('explains what is wrong with a name', () => {
    expect(botNameProblem('ok-name')).toBeUndefined()
    expect(botNameProblem('')).toMatch(/required/)
  })
})

describe('hashSecret', () => {
  it('answers the hex SHA-256', () => {
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })
})
