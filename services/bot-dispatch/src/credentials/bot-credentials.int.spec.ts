import { Bus, Streams, subjects } from '@taskforge/bus'
import { CONTROL_STREAM, Durables } from '@taskforge/protocol'
import { createLogger } from '@taskforge/telemetry'
import {
  createNatsOperator,
  issueNatsUser,
  type NatsOperatorSetup,
  type NatsServer,
  startNats,
} from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureBotConsumer } from '../assignments/bot-consumer.js'
import { ensureControlStream } from '../control/control-channel.js'
import { BotCredentialIssuer, type BotNatsCredentials } from './bot-credential-issuer.js'

const logger = createLogger('bot-credentials-test', {}, { level: 'silent' })
const A = '0195b7a0-0000-7000-8000-00000000000a'
const B = '0195b7a0-0000-7000-8000-00000000000b'
const data = (text: string) => new TextEncoder().encode(text)

/** Runs `attempt` and answers the server's refusal (a permissions violation), failing if it went through. */
async function refusal(attempt: () => Promise<unknown>): Promise<string> {
  try {
    await attempt()
  } catch (error) {
    for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
      if (/Permissions Violation/.test(cause.message)) return cause.message
    }
    throw error
  }
  throw new Error('the server let it through')
}

describe('bot NATS users on a server in operator mode', () => {
  let setup: NatsOperatorSetup
  let nats: NatsServer
  let service: Bus
  let bot: Bus
  let credentials: BotNatsCredentials

  beforeAll(async () => {
    setup = await createNatsOperator()
    nats = await startNats({ operator: setup })
    const serviceUser = await issueNatsUser(setup, 'bot-dispatch')
    service = await Bus.connect({
      servers: nats.url,
      name: 'bot-dispatch',
      logger,
      auth: { type: 'jwt', jwt: serviceUser.jwt, seed: serviceUser.seed },
    })
    for (const stream of Object.values(Streams)) await service.ensureStream(stream)
    await ensureControlStream(service)
    for (const botId of [A, B]) {
      await ensureBotConsumer(service, botId)
      await service.publish(subjects.dispatch(botId), data(`work for ${botId}`), { msgId: `job-${botId}` })
    }
    await service.publish(subjects.event('job', 'assigned'), data('event'), { msgId: 'event-1' })

    const issuer = BotCredentialIssuer.create({
      signingSeed: setup.signingKey.seed,
      account: setup.account.publicKey,
    })
    credentials = await issuer.issue(A)
    bot = await Bus.connect({
      servers: nats.url,
      name: `bot ${A}`,
      logger,
      auth: { type: 'jwt', jwt: credentials.jwt, seed: credentials.seed },
      inboxPrefix: credentials.inboxPrefix,
    })
  })

  afterAll(async () => {
    await bot?.close()
    await service?.close()
    await nats?.stop()
  })

  it('lets the bot pull and ack its own work, report and send heartbeats', async () => {
    const consumer = await bot.js.consumers.get(Streams.DISPATCH.name, Durables.botDispatch(A))
    const batch = await consumer.fetch({ max_messages: 1, expires: 5_000 })
    const received: string[] = []
    for await (const msg of batch) {
      received.push(new TextDecoder().decode(msg.data))
      expect(await msg.ackAck()).toBe(true)
    }
    expect(received).toEqual([`work for ${A}`])
    const ack = await bot.js.publish(subjects.report(A), data('report'), { msgID: 'report-1' })
    expect(ack.stream).toBe(Streams.REPORTS.name)
    bot.nc.publish(subjects.heartbeat(A), data('beat'))
    await bot.nc.flush()
    const control = await bot.js.consumers.get(CONTROL_STREAM.name, Durables.botControl(A))
    expect((await control.info(true)).name).toBe(Durables.botControl(A))
  })

  it("refuses the bot another bot's work, its reports and the domain events", async () => {
    const other = `${Streams.DISPATCH.name}.${Durables.botDispatch(B)}`
    expect(
      await refusal(() => bot.js.consumers.get(Streams.DISPATCH.name, Durables.botDispatch(B))),
    ).toContain(`$JS.API.CONSUMER.INFO.${other}`)
    expect(
      await refusal(() =>
        bot.nc.request(`$JS.API.CONSUMER.MSG.NEXT.${other}`, JSON.stringify({ batch: 1 }), {
          timeout: 5_000,
        }),
      ),
    ).toContain(`$JS.API.CONSUMER.MSG.NEXT.${other}`)
    expect(await refusal(() => bot.js.publish(subjects.report(B), data('forged')))).toContain(
      `"${subjects.report(B)}"`,
    )
    expect(await refusal(() => bot.js.publish(subjects.event('job', 'finished'), data('forged')))).toContain(
      '"events.job.finished"',
    )
    expect(await refusal(() => bot.jsm.streams.info(Streams.EVENTS.name))).toContain(
      '$JS.API.STREAM.INFO.EVENTS',
    )
    const subscribe = async (subject: string) => {
      for await (const _ of bot.nc.subscribe(subject)) return
    }
    for (const subject of [subjects.dispatch(B), 'events.>', `_INBOX.${B}.>`]) {
      expect(await refusal(() => subscribe(subject))).toContain(`Subscription to "${subject}"`)
    }
    const reports = await service.jsm.streams.info(Streams.REPORTS.name, { subjects_filter: '>' })
    expect(reports.state.subjects).toEqual({ [subjects.report(A)]: 1 })
  })
})
