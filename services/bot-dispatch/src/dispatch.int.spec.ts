import { Bus, Streams, subjects } from '@taskforge/bus'
import { type AppError, contentSha256, isAppError, newId } from '@taskforge/core'
import { BotDispatchServiceClient } from '@taskforge/proto/bots/v1/bot_service'
import { DispatchJob, Heartbeat } from '@taskforge/proto/bots/v1/protocol'
import { Envelope } from '@taskforge/proto/events/v1/envelope'
import { JobEvent } from '@taskforge/proto/jobs/v1/events'
import { JobSpec } from '@taskforge/proto/jobs/v1/model'
import { Durables } from '@taskforge/protocol'
import { createClient, type PromiseClient } from '@taskforge/rpc'
import { type NatsServer, startNats, testDatabase, testGrpcAuth, waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DispatchConfig, type RunningDispatch, startDispatch } from './main.js'

/** Every service's gRPC identity; the tests call as the gateway. */
const auth = await testGrpcAuth()
const asGateway = { credential: auth.of('gateway').credential }

const customer = 'acme'
const spec = JobSpec.fromPartial({
  taskId: newId(),
  taskName: 'hello',
  scriptFilename: 'hello.sh',
  scriptSha256: contentSha256(Buffer.from('echo hello')),
  scriptSize: 10,
  timeout: 60,
})

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    if (isAppError(error)) return error
    throw error
  }
  throw new Error('expected the call to fail')
}

describe('bot-dispatch', () => {
  let nats: NatsServer
  let config: DispatchConfig
  let dispatch: RunningDispatch
  let client: PromiseClient<BotDispatchServiceClient> & { close(): void }
  let bus: Bus

  async function start(): Promise<void> {
    dispatch = await startDispatch(config, { handleProcessEvents: false, telemetry: false })
    client = createClient(BotDispatchServiceClient, `127.0.0.1:${dispatch.grpcPort}`, asGateway)
  }

  beforeAll(async () => {
    nats = await startNats()
    config = {
      databaseUrl: await testDatabase(),
      natsUrl: nats.url,
      publicNatsUrl: 'nats://bots.example.test:4222',
      grpcPort: 0,
      grpcHost: '127.0.0.1',
      healthPort: 0,
      healthHost: '127.0.0.1',
      grpcAuthFile: auth.file('bot-dispatch'),
      offlineAfterMs: 15_000,
      presenceSweepIntervalMs: 1_000,
    }
    await start()
    bus = await Bus.connect({ servers: nats.url, name: 'test' })
  })

  afterAll(async () => {
    client?.close()
    await bus?.close()
    await dispatch?.stop()
    await nats?.stop()
  })

  const register = (name: string, who = customer) =>
    client.registerBot({ customer: who, name, author: 'ops' })

  /** The relay's message for a JobAssigned event, as job-scheduler publishes it. */
  function assignedEnvelope(jobId: string, botId: string, attempt = 1, eventId = newId()): Envelope {
    return Envelope.fromPartial({
      eventId,
      type: 'assigned',
      occurredAt: new Date(),
      customer,
      streamType: 'job',
      streamId: jobId,
      streamVersion: 2n,
      author: 'ops',
      trace: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: '' },
      data: Buffer.from(
        JobEvent.encode({
          event: {
            $case: 'assigned',
            value: { botId, attempt, spec, taskArgumentsValues: ['--loud', 'world'] },
          },
        }).finish(),
      ),
    })
  }

  async function publishEnvelope(envelope: Envelope, msgId = envelope.eventId): Promise<void> {
    await bus.publish(subjects.event('job', 'assigned'), Envelope.encode(envelope).finish(), { msgId })
  }

  /** Every assignment published so far has been handled (acked or terminated). */
  async function assignmentsSettled(): Promise<void> {
    const stream = await bus.jsm.streams.info(Streams.EVENTS.name)
    await waitUntil(
      async () => {
        const info = await bus.jsm.consumers.info(Streams.EVENTS.name, Durables.assignments)
        return info.ack_floor.stream_seq >= stream.state.last_seq && info.num_ack_pending === 0
      },
      { timeoutMs: 30_000, message: 'assignments consumer did not catch up' },
    )
  }

  async function dispatchedTo(botId: string): Promise<number> {
    const info = await bus.jsm.streams.info(Streams.DISPATCH.name, {
      subjects_filter: subjects.dispatch(botId),
    })
    return info.state.subjects?.[subjects.dispatch(botId)] ?? 0
  }

  it('registers a bot and answers its credentials once, storing only the hash', async () => {
    const { bot, credentials } = await register('builder-1')
    expect(bot).toMatchObject({ customer, name: 'builder-1', online: false, runningJobs: 0 })
    expect(bot?.creationDate).toBeInstanceOf(Date)
    expect(credentials).toEqual({
      botId: bot!.id,
      customer,
      name: 'builder-1',
      secret: expect.stringMatching(/^[0-9a-f]{64}$/),
      natsUrl: 'nats://bots.example.test:4222',
      natsUser: '',
      natsPassword: '',
      dispatchSubject: `dispatch.${bot!.id}`,
      reportSubject: `reports.${bot!.id}`,
      dispatchStream: 'DISPATCH',
      dispatchConsumer: `bot-${bot!.id}`,
      // An open server: no NATS user to hand out.
      natsJwt: '',
      natsSeed: '',
      natsInboxPrefix: `_INBOX.${bot!.id}`,
    })
    const consumer = await bus.jsm.consumers.info('DISPATCH', `bot-${bot!.id}`)
    expect(consumer.config.filter_subject ?? consumer.config.filter_subjects?.[0]).toBe(`dispatch.${bot!.id}`)
    expect((await client.getBot({ customer, botId: bot!.id })).bot).toEqual(bot)
    expect((await client.listBots({ customer })).bots.map((b) => b.id)).toContain(bot!.id)
  })

  it('keeps bots per customer and names unique within one', async () => {
    const { bot } = await register('shared-name')
    expect((await failure(register('shared-name'))).code).toBe('CONFLICT')
    const { bot: other } = await register('shared-name', 'globex')
    expect(other?.customer).toBe('globex')
    expect((await failure(client.getBot({ customer: 'globex', botId: bot!.id }))).code).toBe('NOT_FOUND')
    expect((await client.listBots({ customer: 'globex' })).bots.map((b) => b.id)).toEqual([other!.id])
    for (const name of ['', 'with space', 'x'.repeat(101)]) {
      expect((await failure(register(name))).code).toBe('VALIDATION_FAILED')
    }
  })

  it('carries an assignment to the bot durable consumer exactly once', async () => {
    const { bot } = await register('runner-1')
    const botId = bot!.id
    const jobId = newId()
    const envelope = assignedEnvelope(jobId, botId)
    await publishEnvelope(envelope)
    await publishEnvelope(envelope)
    // The same event again under another message id: bot-dispatch consumes it a second time.
    await publishEnvelope(envelope, newId())

    const consumer = await bus.js.consumers.get('DISPATCH', `bot-${botId}`)
    const msg = await consumer.next({ expires: 30_000 })
    expect(msg).not.toBeNull()
    expect(msg!.subject).toBe(`dispatch.${botId}`)
    expect(msg!.headers?.get('Nats-Msg-Id')).toBe(`${jobId}.1`)
    expect(DispatchJob.decode(msg!.data)).toEqual(
      DispatchJob.fromPartial({
        jobId,
        customer,
        botId,
        jobSpec: spec,
        taskArgumentsValues: ['--loud', 'world'],
        attempt: 1,
        trace: envelope.trace,
      }),
    )
    msg!.ack()
    await assignmentsSettled()
    expect(await dispatchedTo(botId)).toBe(1)
    const info = await bus.jsm.consumers.info('DISPATCH', `bot-${botId}`)
    expect(info.num_pending).toBe(0)
  })

  it('drops an assignment to an unknown bot or to another customer bot', async () => {
    const unknown = newId()
    await publishEnvelope(assignedEnvelope(newId(), unknown))
    const { bot } = await register('foreign', 'globex')
    await publishEnvelope(assignedEnvelope(newId(), bot!.id))
    await assignmentsSettled()
    expect(await dispatchedTo(unknown)).toBe(0)
    expect(await dispatchedTo(bot!.id)).toBe(0)
  })

  it('marks a bot online from its heartbeats', async () => {
    const { bot } = await register('beating')
    const heartbeat = Heartbeat.fromPartial({
      botId: bot!.id,
      customer,
      sentAt: new Date(),
      runningJobs: 2,
      concurrency: 4,
    })
    const seen = await waitUntil(async () => {
      bus.nc.publish(subjects.heartbeat(bot!.id), Heartbeat.encode(heartbeat).finish())
      const current = (await client.getBot({ customer, botId: bot!.id })).bot!
      return current.online ? current : false
    })
    expect(seen.lastSeen).toBeInstanceOf(Date)
    expect(seen.runningJobs).toBe(2)
  })

  it('ensures the dispatch consumer of every registered bot when it starts', async () => {
    const { bot } = await register('restored')
    await bus.jsm.consumers.delete('DISPATCH', `bot-${bot!.id}`)
    client.close()
    await dispatch.stop()
    await start()
    const info = await bus.jsm.consumers.info('DISPATCH', `bot-${bot!.id}`)
    expect(info.name).toBe(`bot-${bot!.id}`)
  })
})
