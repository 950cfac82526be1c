import { createNatsOperator, issueNatsUser } from '@taskforge/nats-operator'
import { describe, expect, it } from 'vitest'
import { jwtIssuer, jwtMayPublish } from '../../scripts/platform/nats-auth.js'

// What `npm start` reads in a saved bot's user JWT to tell whether the bot can still work.
describe('the dev stack reading a saved bot JWT', () => {
  it('tells who signed it and which subjects it may publish on', async () => {
    const setup = await createNatsOperator()
    const { jwt } = await issueNatsUser(setup, 'bot b1', { pub: { allow: ['reports.b1', 'scripts.b1'] } })
    expect(jwtIssuer(jwt)).toBe(setup.signingKey.publicKey)
    expect(jwtMayPublish(jwt, 'scripts.b1')).toBe(true)
    expect(jwtMayPublish(jwt, 'scripts.b2')).toBe(false)

    const older = (await issueNatsUser(setup, 'bot b1', { pub: { allow: ['reports.b1'] } })).jwt
    expect(jwtMayPublish(older, 'scripts.b1')).toBe(false)
    expect(jwtMayPublish('not a jwt', 'scripts.b1')).toBe(false)
    expect(jwtIssuer('not a jwt')).toBeUndefined()
  })
})
