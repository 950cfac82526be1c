import { Bus, decodeEnvelope, Streams, subjects } from '@taskforge/bus'
import { newId } from '@taskforge/core'
import { BotDispatchServiceClient } from '@taskforge/proto/bots/v1/bot_service'
import { BotEvent } from '@taskforge/proto/bots/v1/events'
import { BotControl, Heartbeat } from '@taskforge/proto/bots/v1/protocol'
import { Envelope } from '@taskforge/proto/events/v1/envelope'
import { JobEvent } from '@taskforge/proto/jobs/v1/events'
import { CONTROL_STREAM, Durables } from '@taskforge/protocol'
import { createClient, type PromiseClient } from '@taskforge/rpc'
import { type NatsServer, startNats, testDatabase, testGrpcAuth, waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CANCELS_SUBJECT } from './control/cancel-carrier.js'
import { type RunningDispatch, startDispatch } from './main.js'

/** Every service's gRPC identity; the tests call as the gateway. */
const auth = await testGrpcAuth()
const asGateway = { credential: auth.of('gateway').credential }

const customer = 'acme'
/** Short, so that a bot falls silent within the test. */
const OFFLINE_AFTER_MS = 600

describe('bot-dispatch presence events and control channel', () => {
  let nats: NatsServer
  let dispatch: RunningDispatch
  let client: PromiseClient<BotDispatchServiceClient> & { close(): void }
  let bus: Bus

  beforeAll(async () => {
    nats = await startNats()
    dispatch = await startDispatch(
      {
        databaseUrl: await testDatabase(),
        natsUrl: nats.url,
        publicNatsUrl: '',
        grpcPort: 0,
        grpcHost: '127.0.0.1',
        healthPort: 0,
        healthHost: '127.0.0.1',
        grpcAuthFile: auth.file('bot-dispatch'),
        offlineAfterMs: OFFLINE_AFTER_MS,
        presenceSweepIntervalMs: 100,
      },
      { handleProcessEvents: false, telemetry: false },
    )
    client = createClient(BotDispatchServiceClient, `127.0.0.1:${dispatch.grpcPort}`, asGateway)
    bus = await Bus.connect({ servers: nats.url, name: 'test' })
  })

  afterAll(async () => {
    client?.close()
    await bus?.close()
    await dispatch?.stop()
    await nats?.stop()
  })

  const register = async (name: string) =>
    (await client.registerBot({ customer, name, author: 'ops' })).bot!.id

  /** The presence events of one bot published so far, in order. */
  async function presenceEvents(
    events: Awaited<ReturnType<Bus['js']['consumers']['get']>>,
    botId: string,
    seen: string[],
  ): Promise<string[]> {
    for (;;) {
      const msg = await events.next({ expires: 1_000 })
      if (msg === null) return seen
      const envelope = decodeEnvelope(msg.data)
      if (envelope.streamId !== botId) continue
      const { event } = BotEvent.decode(envelope.data)
      if (event?.$case === 'registered') continue
      seen.push(event?.$case === 'wentOffline' ? `offline: ${event.value.reason}` : String(event?.$case))
    }
  }

  it('records a bot coming online at its first heartbeat and going offline when they stop', async () => {
    const botId = await register('flapping')
    const events = await bus.js.consumers.get(Streams.EVENTS.name, {
      filter_subjects: subjects.event('bot', '>'),
    })
    const beat = () =>
      bus.nc.publish(
        subjects.heartbeat(botId),
        Heartbeat.encode(Heartbeat.fromPartial({ botId, customer, runningJobs: 1, concurrency: 2 })).finish(),
      )
    const online = async () => (await client.getBot({ customer, botId })).bot!.online
    const seen: string[] = []
    const eventsSeen = (count: number) =>
      waitUntil(async () => (await presenceEvents(events, botId, seen)).length >= count, {
        message: `${count} presence events`,
      })

    const timer = setInterval(beat, 100)
    try {
      await waitUntil(online, { message: 'the bot to be online' })
      await eventsSeen(1)
    } finally {
      clearInterval(timer)
    }
    await eventsSeen(2)
    expect(await online()).toBe(false)
    beat()
    await eventsSeen(3)
    expect(seen.slice(0, 3)).toEqual(['cameOnline', 'offline: no heartbeat for 0.6s', 'cameOnline'])
  })

  it('creates the control consumer of every registered bot', async () => {
    const botId = await register('controlled')
    const info = await bus.jsm.consumers.info(CONTROL_STREAM.name, Durables.botControl(botId))
    expect(info.config.filter_subject ?? info.config.filter_subjects?.[0]).toBe(subjects.control(botId))
  })

  it('carries a cancel decision to the bot control subject, once', async () => {
    const botId = await register('canceled')
    const jobId = newId()
    const envelope = Envelope.fromPartial({
      eventId: newId(),
      type: 'cancelRequested',
      streamType: 'job',
      streamId: jobId,
      customer,
      occurredAt: new Date(),
      data: Buffer.from(
        JobEvent.encode({
          event: { $case: 'cancelRequested', value: { botId, attempt: 1, reason: 'stop it' } },
        }).finish(),
      ),
    })
    const publish = (msgId: string) =>
      bus.publish(CANCELS_SUBJECT, Envelope.encode(envelope).finish(), { msgId })
    await publish(envelope.eventId)
    // The same decision again under another message id: only the order's own id dedups it.
    await publish(newId())
    const unknownBot = Envelope.fromPartial({
      ...envelope,
      eventId: newId(),
      data: Buffer.from(
        JobEvent.encode({
          event: { $case: 'cancelRequested', value: { botId: newId(), attempt: 1, reason: 'x' } },
        }).finish(),
      ),
    })
    await bus.publish(CANCELS_SUBJECT, Envelope.encode(unknownBot).finish(), { msgId: unknownBot.eventId })

    const stream = await bus.jsm.streams.info(Streams.EVENTS.name)
    await waitUntil(async () => {
      const info = await bus.jsm.consumers.info(Streams.EVENTS.name, Durables.cancels)
      return info.ack_floor.stream_seq >= stream.state.last_seq && info.num_ack_pending === 0
    })
    const consumer = await bus.js.consumers.get(CONTROL_STREAM.name, Durables.botControl(botId))
    const msg = await consumer.next({ expires: 5_000 })
    expect(msg?.subject).toBe(subjects.control(botId))
    expect(BotControl.decode(msg!.data).control).toEqual({
      $case: 'cancelJob',
      value: { jobId, attempt: 1, reason: 'stop it' },
    })
    msg!.ack()
    const control = await bus.jsm.streams.info(CONTROL_STREAM.name)
    expect(control.state.messages).toBe(1)
  })
})
