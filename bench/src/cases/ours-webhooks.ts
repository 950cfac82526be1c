import { wallClockMs } from '../lib/clock.js'
import { JsonClient, stringField } from '../lib/json-client.js'
import { closedLoop, openLoop } from '../lib/load.js'
import { cpuPerUnit, cpuSnapshot } from '../lib/process-cpu.js'
import { summarizeLatencies } from '../lib/stats.js'
import type { CaseResult } from '../results/model.js'
import { Series } from '../results/series.js'
import type { BenchPlatform } from './bench-platform.js'
import { assertNoFailures, type CaseContext } from './case.js'
import { HangingReceiver, LiveReceiver } from './webhook-receivers.js'

/** Subscriptions of the live receiver: each event is delivered this many times. */
const SUBSCRIPTIONS = 20
/** Tasks updated in turn, so concurrent updates do not contend for one stream. */
const TASKS = 16
const LATENCY_RATE = 10
const BURST_CALLERS = 16
/** Another organization's receivers that never answer, each on a port of its own (its own host). */
const TAR_PITS = 16
/** That organization's events, each sent to every tar pit: a backlog of attempts that hang. */
const TAR_PIT_EVENTS = 20

interface Events {
  tasks: string[]
  next: number
}

/** A task update whose description names it: the `task.update` event every subscription gets. */
async function emit(bp: BenchPlatform, events: Events, seq: number): Promise<void> {
  const taskId = events.tasks[seq % events.tasks.length]!
  await bp.api.expect(200, 'PATCH', `/${bp.customer}/task/${taskId}`, { description: `bench-${seq}` })
}

async function subscribe(bp: BenchPlatform, url: string): Promise<string> {
  const created = await bp.api.expect(201, 'POST', `/${bp.customer}/subscription`, {
    url,
    events: ['task.update'],
    description: 'bench receiver',
  })
  return String(created.id)
}

/**
 * Latency: events at a fixed rate, PATCH sent → first attempt arriving at the receiver, for every
 * delivery. Throughput: events sent as fast as 16 callers can, first delivery → last delivery.
 */
async function passes(
  ctx: CaseContext,
  bp: BenchPlatform,
  receiver: LiveReceiver,
  events: Events,
  sizes: { latencyEvents: number; burstEvents: number },
) {
  const sent = new Map<number, number>()
  const from = events.next
  events.next += sizes.latencyEvents
  const before = receiver.receipts.length
  const outcome = await openLoop({
    rate: LATENCY_RATE,
    count: sizes.latencyEvents,
    fire: async (i, at) => {
      sent.set(from + i, at)
      await emit(bp, events, from + i)
    },
  })
  assertNoFailures('task updates', outcome)
  const expected = before + sizes.latencyEvents * SUBSCRIPTIONS
  if (!(await receiver.waitFor(expected, 120_000))) throw new Error('deliveries missing after 120 s')
  const samples = receiver.receipts
    .slice(before, expected)
    .filter((receipt) => sent.has(receipt.seq))
    .map((receipt) => receipt.at - sent.get(receipt.seq)!)
  const latency = summarizeLatencies(samples)

  const burstFrom = events.next
  events.next += sizes.burstEvents
  const burstBefore = receiver.receipts.length
  const names = bp.pids()
  const cpuBefore = cpuSnapshot(names)
  const began = wallClockMs()
  const burst = await closedLoop({
    workers: BURST_CALLERS,
    count: sizes.burstEvents,
    call: (i) => emit(bp, events, burstFrom + i),
  })
  assertNoFailures('task updates', burst)
  const burstExpected = burstBefore + sizes.burstEvents * SUBSCRIPTIONS
  if (!(await receiver.waitFor(burstExpected, 300_000))) throw new Error('deliveries missing after 300 s')
  const cpuPerDelivery = cpuPerUnit(cpuBefore, cpuSnapshot(names), sizes.burstEvents * SUBSCRIPTIONS)
  const receipts = receiver.receipts.slice(burstBefore, burstExpected)
  const first = Math.min(...receipts.map((receipt) => receipt.at))
  const last = Math.max(...receipts.map((receipt) => receipt.at))
  const deliveries = receipts.length
  ctx.log(
    `webhooks: p50 ${latency.p50.toFixed(1)} ms p99 ${latency.p99.toFixed(1)} ms, ${Math.round(deliveries / ((last - first) / 1000))} deliveries/s, ` +
      `webhook-relay ${cpuPerDelivery['webhook-relay'] ?? 0} ms CPU per delivery`,
  )
  return {
    latency,
    cpuPerDelivery,
    rate: deliveries / ((last - first) / 1000),
    endToEnd: deliveries / ((last - began) / 1000),
  }
}

/**
 * Another organization with 16 subscriptions to receivers that accept connections and never answer,
 * and a backlog of events for them: each attempt holds a slot until WEBHOOK_TIMEOUT. Answers what
 * takes it away again.
 */
async function tarPitOrganization(
  bp: BenchPlatform,
): Promise<{ connections(): number; remove(): Promise<void> }> {
  const origin = bp.platform.credentials.gateway_url
  const root = new JsonClient(origin, bp.platform.rootToken, 2)
  const created = await root.expect(201, 'POST', '/admin/customers', { name: 'bench-tarpit' })
  await root.close()
  const tarPit = new JsonClient(origin, stringField(created, 'admin_token'), 4)
  const receivers = Array.from({ length: TAR_PITS }, () => new HangingReceiver())
  for (const receiver of receivers) await receiver.start()
  for (const [i, receiver] of receivers.entries()) {
    await tarPit.expect(201, 'POST', '/bench-tarpit/subscription', {
      url: `http://${receiver.host}:${receiver.port}/tarpit/${i}`,
      description: 'tar pit',
    })
  }
  const bot = await tarPit.expect(201, 'POST', '/bench-tarpit/bot', { name: 'tarpit-bot' })
  const script = await tarPit.expect(201, 'POST', '/bench-tarpit/script', {
    filename: 'tarpit.sh',
    content: '#!/bin/sh\nexit 0\n',
  })
  for (let i = 0; i < TAR_PIT_EVENTS; i++) {
    await tarPit.expect(201, 'POST', '/bench-tarpit/task', {
      name: `tar pit ${i}`,
      host_id: stringField(bot, 'id'),
      script_id: stringField(script, 'id'),
    })
  }
  return {
    connections: () => receivers.reduce((sum, receiver) => sum + receiver.connections, 0),
    async remove() {
      const listed = await tarPit.request('GET', '/bench-tarpit/subscription')
      for (const subscription of listed.body as { id: string }[]) {
        await tarPit.request('DELETE', `/bench-tarpit/subscription/${subscription.id}`).catch(() => undefined)
      }
      await tarPit.close()
      for (const receiver of receivers) await receiver.stop()
    },
  }
}

/**
 * webhook-relay: `task.update` events fanned out to 20 subscriptions of one local receiver, then
 * the same with a subscription to a receiver that accepts connections and never answers, then the
 * same (without it) while another organization's 16 tar-pit subscriptions hold their attempts.
 */
export async function oursWebhooks(ctx: CaseContext, bp: BenchPlatform): Promise<CaseResult> {
  const sizes = ctx.quick ? { latencyEvents: 30, burstEvents: 50 } : { latencyEvents: 60, burstEvents: 200 }
  const series = new Series()
    .declare(
      'rate',
      `deliveries to the live receiver (${SUBSCRIPTIONS} subscriptions)`,
      'rate',
      'deliveries/s',
    )
    .declare('e2e.rate', 'deliveries/s from the first update sent', 'rate', 'deliveries/s')
    .declare('p50', `event → first attempt p50 at ${LATENCY_RATE} events/s`, 'latency-p50')
    .declare('p99', `event → first attempt p99 at ${LATENCY_RATE} events/s`, 'latency-p99')
    .declare('dead.rate', 'deliveries/s, a dead receiver subscribed too', 'rate', 'deliveries/s')
    .declare(
      'dead.e2e.rate',
      'deliveries/s from the first update, dead receiver subscribed',
      'rate',
      'deliveries/s',
    )
    .declare('dead.p50', 'event → first attempt p50, dead receiver subscribed', 'latency-p50')
    .declare('dead.p99', 'event → first attempt p99, dead receiver subscribed', 'latency-p99')
    .declare(
      'tarpit.rate',
      "deliveries/s, another organization's 16 tar pits hanging",
      'rate',
      'deliveries/s',
    )
    .declare('tarpit.p50', "event → first attempt p50, another organization's 16 tar pits", 'latency-p50')
    .declare('tarpit.p99', "event → first attempt p99, another organization's 16 tar pits", 'latency-p99')
  const live = new LiveReceiver()
  const dead = new HangingReceiver()
  await live.start()
  await dead.start()
  const subscriptions: string[] = []
  let cpuPerDelivery: Record<string, number> = {}
  let tarPits: Awaited<ReturnType<typeof tarPitOrganization>> | undefined
  try {
    // Subscribed before the tasks exist: the relay then follows their streams from their first event
    // and never waits for earlier ones (decision 0009), which would stall the warm-up for a minute.
    for (let i = 0; i < SUBSCRIPTIONS; i++) {
      subscriptions.push(await subscribe(bp, `http://127.0.0.1:${live.port}/hook/${i}`))
    }
    const script = await bp.api.expect(201, 'POST', `/${bp.customer}/script`, {
      filename: 'hook.sh',
      content: '#!/bin/sh\nexit 0\n',
    })
    const events: Events = { tasks: [], next: 0 }
    for (let i = 0; i < TASKS; i++) {
      const task = await bp.api.expect(201, 'POST', `/${bp.customer}/task`, {
        name: `bench hook ${i}`,
        host_id: bp.botId,
        script_id: script.id,
      })
      events.tasks.push(String(task.id))
    }
    await passes(ctx, bp, live, events, { latencyEvents: 10, burstEvents: 10 })
    for (let rep = 0; rep < ctx.repetitions; rep++) {
      const result = await passes(ctx, bp, live, events, sizes)
      series.add('rate', result.rate)
      series.add('e2e.rate', result.endToEnd)
      series.add('p50', result.latency.p50)
      series.add('p99', result.latency.p99)
      cpuPerDelivery = result.cpuPerDelivery
    }
    const deadSubscription = await subscribe(bp, `http://${dead.host}:${dead.port}/dead`)
    subscriptions.push(deadSubscription)
    for (let rep = 0; rep < ctx.repetitions; rep++) {
      const result = await passes(ctx, bp, live, events, sizes)
      series.add('dead.rate', result.rate)
      series.add('dead.e2e.rate', result.endToEnd)
      series.add('dead.p50', result.latency.p50)
      series.add('dead.p99', result.latency.p99)
    }
    // The organization's own dead receiver goes: what remains is the other organization's tar pits.
    await bp.api.expect(204, 'DELETE', `/${bp.customer}/subscription/${deadSubscription}`)
    subscriptions.pop()
    tarPits = await tarPitOrganization(bp)
    for (let rep = 0; rep < ctx.repetitions; rep++) {
      const result = await passes(ctx, bp, live, events, sizes)
      series.add('tarpit.rate', result.rate)
      series.add('tarpit.p50', result.latency.p50)
      series.add('tarpit.p99', result.latency.p99)
    }
  } finally {
    await tarPits?.remove()
    for (const id of subscriptions) {
      await bp.api.request('DELETE', `/${bp.customer}/subscription/${id}`).catch(() => undefined)
    }
    await live.stop()
    await dead.stop()
  }
  return {
    id: 'ours.webhooks',
    title: 'Webhook relay deliveries',
    group: 'ours',
    settings: {
      events: 'task.update (PATCH /:customer/task/:id)',
      subscriptions: SUBSCRIPTIONS,
      receiver: 'one local HTTP server answering 204',
      deadReceiver: 'accepts connections on 127.0.0.2, never answers (WEBHOOK_TIMEOUT 10 s)',
      tarPits: `another organization: ${TAR_PITS} subscriptions to receivers like the dead one (a port each), ${TAR_PIT_EVENTS} task.create events behind their pings`,
      latencyRate: LATENCY_RATE,
      latencyEvents: sizes.latencyEvents,
      burstEvents: sizes.burstEvents,
      burstCallers: BURST_CALLERS,
      relaySettings: 'defaults: WEBHOOK_CONCURRENCY 64, per organization 16, per subscription 4, per host 16',
      eventTime: 'when the PATCH was sent (the event commits before its answer)',
    },
    metrics: series.metrics(),
    cpuPerUnitMs: {
      unit: 'delivery (burst pass without the dead receiver, last repetition)',
      byProcess: cpuPerDelivery,
    },
    notes: [
      `the dead receiver was connected to ${dead.connections} times`,
      `the other organization's tar pits were connected to ${tarPits?.connections() ?? 0} times`,
    ],
  }
}
