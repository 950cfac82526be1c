import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { newSigningSecret, SECRET_PREFIX, sign, signatureHeaders } from './signature.js'

describe('Standard Webhooks signatures', () => {
  it('makes whsec_ secrets of 32 random bytes', () => {
    const secret = newSigningSecret()
    expect(secret.startsWith(SECRET_PREFIX)).toBe(true)
    expect(Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64')).toHaveLength(32)
    expect(newSigningSecret()).not.toBe(secret)
  })

  it('matches the specification example', () => {
    // From the Standard Webhooks specification.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
    const body = '{"test": 2432232314}'
    expect(sign(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    )
  })

  it('is verified by the reference library', () => {
    const secret = newSigningSecret()
    const body = JSON.stringify({
      event_name: 'task.create',
      event_data: { task_id: 'x' },
      event_author: 'ops',
    })
    const headers = signatureHeaders([secret], 'delivery-1', Math.floor(Date.now() / 1000), body)
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body))
  })

  it('signs with both secrets during a rotation, so old and new receivers verify', () => {
    const previous = newSigningSecret()
    const current = newSigningSecret()
    const body = '{"event_name":"ping"}'
    const headers = signatureHeaders([current, previous], 'delivery-2', Math.floor(Date.now() / 1000), body)
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2)
    expect(() => new Webhook(current).verify(body, headers)).not.toThrow()
    expect(() => new Webhook(previous).verify(body, headers)).not.toThrow()
    expect(() => new Webhook(newSigningSecret()).verify(body, headers)).toThrow()
    expect(() => new Webhook(current).verify(`${body} `, headers)).toThrow()
  })
})
