import { describe, expect, it } from 'vitest'
import { CredentialsError, natsAuthOf, parseCredentials } from './credentials.js'

describe('parseCredentials', () => {
  it('reads the REST answer of a bot registration', () => {
    const credentials = parseCredentials(
      JSON.stringify({
        id: 'b1',
        name: 'local',
        customer: 'demo',
        secret: 's',
        nats_url: 'nats://127.0.0.1:4222',
        nats_user: 'bot-b1',
        nats_password: 'pw',
        dispatch_subject: 'dispatch.b1',
        report_subject: 'reports.b1',
        dispatch_stream: 'DISPATCH',
        dispatch_consumer: 'bot-b1',
      }),
    )
    expect(credentials).toEqual({
      botId: 'b1',
      name: 'local',
      customer: 'demo',
      natsUrl: 'nats://127.0.0.1:4222',
      natsUser: 'bot-b1',
      natsPassword: 'pw',
      dispatchSubject: 'dispatch.b1',
      reportSubject: 'reports.b1',
      heartbeatSubject: 'heartbeats.b1',
      scriptSubject: 'scripts.b1',
      secretSubject: 'secrets.b1',
      dispatchStream: 'DISPATCH',
      dispatchConsumer: 'bot-b1',
      natsInboxPrefix: '_INBOX.b1',
    })
    expect(natsAuthOf(credentials)).toEqual({ type: 'user-password', user: 'bot-b1', pass: 'pw' })
  })

  it('reads the bot’s own NATS user and inbox prefix', () => {
    const credentials = parseCredentials(
      JSON.stringify({
        id: 'b3',
        customer: 'demo',
        nats_url: 'nats://h:1',
        nats_user: '',
        nats_password: '',
        nats_jwt: 'eyJ0.claims.sig',
        nats_seed: 'SUAM',
        nats_inbox_prefix: '_INBOX.b3',
      }),
    )
    expect(credentials).toMatchObject({
      natsJwt: 'eyJ0.claims.sig',
      natsSeed: 'SUAM',
      natsInboxPrefix: '_INBOX.b3',
    })
    expect(natsAuthOf(credentials)).toEqual({ type: 'jwt', jwt: 'eyJ0.claims.sig', seed: 'SUAM' })
    expect(() => parseCredentials('{"id":"b","customer":"c","nats_url":"u","nats_jwt":"j"}')).toThrow(
      /nats_jwt and nats_seed go together/,
    )
  })

  it('accepts bot_id and fills the platform defaults', () => {
    const credentials = parseCredentials(
      '{"bot_id":"b2","customer":"demo","nats_url":"nats://h:1","nats_user":""}',
    )
    expect(credentials).toMatchObject({
      botId: 'b2',
      name: 'b2',
      dispatchSubject: 'dispatch.b2',
      reportSubject: 'reports.b2',
      dispatchStream: 'DISPATCH',
      dispatchConsumer: 'bot-b2',
    })
    expect(credentials.natsUser).toBeUndefined()
    expect(natsAuthOf(credentials)).toEqual({ type: 'none' })
  })

  it('says what is wrong with a bad file', () => {
    expect(() => parseCredentials('nope')).toThrow(CredentialsError)
    expect(() => parseCredentials('[]')).toThrow(/JSON object/)
    expect(() => parseCredentials('{"id":"b"}')).toThrow(/missing customer, nats_url/)
    expect(() => parseCredentials('{"id":1,"customer":"c","nats_url":"u"}')).toThrow(/id must be a string/)
  })
})
