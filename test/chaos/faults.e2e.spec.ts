import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, waitUntil } from '@taskforge/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../packages/event-store/src/index.js'
import { type Platform, startPlatform } from '../../scripts/platform.js'
import { TestReceiver } from '../../services/webhook-relay/src/test-support/receiver.js'
import { verifyStandardWebhook } from '../../services/webhook-relay/src/test-support/standard-webhooks.js'
import { type Answer, gatewayClient } from '../e2e/support/gateway-client.js'
import { connectAsBot, quarantineListing } from '../hostile/support/tenants.js'
import {
  describeJob,
  PROJECTIONS,
  publicEventsOf,
  readEvents,
  rebuildDifferences,
  type StoredRow,
  serviceDb,
  TERMINAL_TYPES,
  terminalView,
  workflowNodeOf,
} from './support/stores.js'

// The fault suite: a run of CHAOS_JOBS jobs, with every event sent to two webhook subscriptions,
// during which each service, the bot (mid-job) and nats-server are killed with SIGKILL and started
// again, Postgres is restarted and one webhook receiver goes away for a while; job-scheduler is
// killed while workflow runs (A → {B, C} → D, each node a job of the bot) are in progress.
// Afterwards nothing may be lost or done twice. `npm test` runs a short version; `npm run chaos`
// the full one.
const JOBS = Number(process.env.CHAOS_JOBS ?? 150)
/** Jobs submitted and not yet started, at most: submissions then go on through the whole run. */
const BACKLOG = 16
/** Generous bounds for what must happen eventually (never assertions on how long it takes). */
const SETTLE_MS = 300_000 + JOBS * 200
const TEST_TIMEOUT_MS = 900_000 + JOBS * 1_500

// Retries short enough to heal within the run and long enough to outlast the receiver's outage;
// every other setting is the production default (JOB_LEASE 15s, heartbeats every 5s).
const PLATFORM_ENV = {
  LOG_LEVEL: 'warn',
  WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8',
  WEBHOOK_RETRY_SCHEDULE: `0,200ms,500ms,1s,2s,3s,${Array(24).fill('5s').join(',')}`,
  WEBHOOK_POLL_INTERVAL: '200ms',
  WEBHOOK_TIMEOUT: '5s',
}

const SERVICES = ['gateway', 'task-catalog', 'job-scheduler', 'bot-dispatch', 'webhook-relay'] as const

/** Workflow runs in progress when job-scheduler is killed. */
const WORKFLOW_RUNS = 4

/** One job in this many is a poison job, and each comes with garbage reports and an oversized run. */
const POISON_EVERY = 33

/** A script's `printf` of every byte value 0-255, then invalid UTF-8, lone CRs and a long line. */
const HOSTILE_OUTPUT = [
  `printf '${Array.from({ length: 256 }, (_, byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('')}'`,
  `printf '\\303\\050 \\355\\240\\200 \\370\\210\\200\\200\\200 a\\rb\\r\\r\\n'`,
  `head -c 200000 /dev/zero | tr '\\0' 'x'`,
].join('\n')

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Subscriber {
  name: string
  receiver: TestReceiver
  id: string
  secret: string
  /** webhook-id of every request whose signature verified (checked on arrival: it carries a timestamp). */
  verified: Set<string>
  invalid: string[]
}

interface FaultRecord {
  name: string
  /** Jobs started (marker files) when it was injected. */
  atJob: number
  ms: number
}

describe(`fault suite (${JOBS} jobs)`, () => {
  let platform: Platform
  let dataDir: string
  let markers: string
  /** The markers of workflow node jobs, apart: the pace of submissions and faults counts the others. */
  let nodeMarkers: string
  let logFile: string
  let log: ReturnType<typeof createWriteStream>
  const dbs = new Map<string, Db>()
  const db = (service: string) => dbs.get(service)!
  let call: (
    method: string,
    path: string,
    json?: unknown,
    headers?: Record<string, string>,
  ) => Promise<Answer>
  let customer: string
  const subscribers: Subscriber[] = []
  let failed = true

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taskforge-chaos-'))
    markers = join(dataDir, 'markers')
    await mkdir(markers)
    nodeMarkers = join(dataDir, 'node-markers')
    await mkdir(nodeMarkers)
    logFile = join(dataDir, 'platform.log')
    log = createWriteStream(logFile)
    platform = await startPlatform({
      dataDir: join(dataDir, 'platform'),
      persistent: false,
      localPostgres: true,
      gatewayPort: await freePort(),
      withBot: true,
      env: PLATFORM_ENV,
      log: (line) => log.write(`${line}\n`),
    })
    for (const [service, url] of platform.databases) dbs.set(service, serviceDb(url))
    const { gateway_url, admin_token } = platform.credentials
    const client = gatewayClient(gateway_url)
    call = (method, path, json, headers) =>
      client(method, path, { token: admin_token, json, ...(headers === undefined ? {} : { headers }) })
    customer = platform.credentials.customer
  }, 240_000)

  afterAll(async () => {
    await Promise.allSettled(subscribers.map((subscriber) => subscriber.receiver.close()))
    await Promise.allSettled([...dbs.values()].map((handle) => handle.destroy()))
    await platform?.stop()
    await new Promise((resolve) => log?.end(resolve))
    // The platform's log is kept when something failed, for a look at what the services said.
    if (failed) console.log(`fault suite: platform log kept in ${logFile}`)
    else if (dataDir) await rm(dataDir, { recursive: true, force: true })
  }, 180_000)

  async function subscribe(name: string): Promise<Subscriber> {
    let secretKnown: (secret: string) => void = () => {}
    const secret = new Promise<string>((resolve) => {
      secretKnown = resolve
    })
    const subscriber: Subscriber = {
      name,
      receiver: undefined as unknown as TestReceiver,
      id: '',
      secret: '',
      verified: new Set(),
      invalid: [],
    }
    subscriber.receiver = await TestReceiver.start(async (request) => {
      try {
        verifyStandardWebhook(await secret, request)
        subscriber.verified.add(request.headers['webhook-id'] ?? '')
      } catch (error) {
        subscriber.invalid.push(`${request.headers['webhook-id']}: ${(error as Error).message}`)
      }
      return { status: 200 }
    })
    const created = await call('POST', `/${customer}/subscription`, {
      url: `${subscriber.receiver.origin}/${name}`,
    })
    expect(created.status, created.text).toBe(201)
    subscriber.id = String(created.body.id)
    subscriber.secret = String(created.body.secret)
    secretKnown(subscriber.secret)
    subscribers.push(subscriber)
    return subscriber
  }

  /** Jobs whose script started (each run appends to a file named after its job). */
  const startedJobs = async () => (await readdir(markers)).length

  async function jobStreams(): Promise<Map<string, StoredRow[]>> {
    const streams = new Map<string, StoredRow[]>()
    for (const event of await readEvents(db('job-scheduler'), ['job'])) {
      const list = streams.get(event.streamId) ?? []
      list.push(event)
      streams.set(event.streamId, list)
    }
    return streams
  }

  const isTerminal = (event: StoredRow) => (TERMINAL_TYPES as readonly string[]).includes(event.type)

  /** Jobs without a terminal event; `running`: only those a bot reported started. */
  async function unfinishedJobs(running = false): Promise<string[]> {
    const unfinished: string[] = []
    for (const [id, events] of await jobStreams()) {
      if (events.some(isTerminal)) continue
      if (!running || events.some((event) => event.type === 'started')) unfinished.push(id)
    }
    return unfinished
  }

  /**
   * The jobs the bot's journal (in its work directory, `bot` in the platform's data) shows started
   * and not reported finished: those it may have been running when it died.
   */
  async function unfinishedInJournal(): Promise<Set<string>> {
    const text = await readFile(join(dataDir, 'platform', 'bot', 'journal.jsonl'), 'utf8')
    const unfinished = new Set<string>()
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue
      try {
        const entry = JSON.parse(line) as { op: string; job: string }
        if (entry.op === 'started') unfinished.add(entry.job)
        else if (entry.op === 'finished' || entry.op === 'canceled') unfinished.delete(entry.job)
      } catch {
        // A line cut short by the kill.
      }
    }
    return unfinished
  }

  it(
    'loses no job, runs none twice, delivers every event and rebuilds the same read models',
    async () => {
      const started = Date.now()
      const a = await subscribe('a')
      const b = await subscribe('b')
      // Events from here on must reach both: each subscription exists (its ping arrived).
      await waitUntil(() => a.verified.size > 0 && b.verified.size > 0, {
        timeoutMs: 60_000,
        message: 'both pings delivered',
      })
      const since = new Date()

      const script = await call('POST', `/${customer}/script`, {
        filename: 'marker.sh',
        content: `#!/bin/sh
echo "$TASKFORGE_JOB_ID $$" >> "$MARKERS/$TASKFORGE_JOB_ID"
sleep 1
echo done
`,
      })
      expect(script.status, script.text).toBe(201)
      const task = await call('POST', `/${customer}/task`, {
        name: 'chaos marker',
        host_id: platform.credentials.bot.id,
        script_id: script.body.id,
        multitasking: true,
        env: { MARKERS: markers },
      })
      expect(task.status, task.text).toBe(201)
      // A → {B, C} → D, every node a job of the marker script: held to the same checks as the others.
      const nodeTask = await call('POST', `/${customer}/task`, {
        name: 'chaos node',
        host_id: platform.credentials.bot.id,
        script_id: script.body.id,
        multitasking: true,
        env: { MARKERS: nodeMarkers },
      })
      expect(nodeTask.status, nodeTask.text).toBe(201)
      const workflow = await call('POST', `/${customer}/workflow`, {
        name: 'chaos diamond',
        nodes: ['a', 'b', 'c', 'd'].map((key) => ({ key, task: nodeTask.body.id })),
        edges: [
          { from: 'a', to: 'b' },
          { from: 'a', to: 'c' },
          { from: 'b', to: 'd' },
          { from: 'c', to: 'd' },
        ],
        start: 'a',
      })
      expect(workflow.status, workflow.text).toBe(201)
      const workflowRuns: string[] = []
      /** Starts a run; a failed or unanswered start is sent again with its Idempotency-Key. */
      const startRun = async () => {
        const key = randomUUID()
        for (;;) {
          const answer = await call(
            'POST',
            `/${customer}/workflow/${workflow.body.id}/job`,
            {},
            {
              'idempotency-key': key,
            },
          ).catch(() => undefined)
          if (answer?.status === 201) return String(answer.body.id)
          await pause(250)
        }
      }
      const readRun = async (runId: string) => {
        const answer = await call('GET', `/${customer}/workflow/job/${runId}`)
        expect(answer.status, answer.text).toBe(200)
        return answer.body as {
          lifecycle: string
          state: string
          nodes: { key: string; state: string; job_ids: string[] }[]
        }
      }

      // Poison: a task whose script prints every byte value (it also leaves its marker, so it is held
      // to the same checks as the others); a bot of the organization that publishes garbage straight
      // to NATS; runs with an argument far over its limit.
      const poisonScript = await call('POST', `/${customer}/script`, {
        filename: 'poison.sh',
        content: `#!/bin/sh\necho "$TASKFORGE_JOB_ID $$" >> "$MARKERS/$TASKFORGE_JOB_ID"\n${HOSTILE_OUTPUT}\n`,
      })
      expect(poisonScript.status, poisonScript.text).toBe(201)
      const poisonTask = await call('POST', `/${customer}/task`, {
        name: 'chaos poison',
        host_id: platform.credentials.bot.id,
        script_id: poisonScript.body.id,
        multitasking: true,
        env: { MARKERS: markers },
      })
      expect(poisonTask.status, poisonTask.text).toBe(201)
      const hostileBot = await call('POST', `/${customer}/bot`, { name: 'chaos-hostile' })
      expect(hostileBot.status, hostileBot.text).toBe(201)
      const poisonJobs = new Set<string>()
      let garbagePublished = 0
      let oversizedRefused = 0
      /** Garbage on the hostile bot's report subject; lost when NATS is down, which is fine. */
      const publishGarbage = async () => {
        const nc = await connectAsBot(hostileBot.body as never).catch(() => undefined)
        if (nc === undefined) return
        try {
          const subject = `reports.${String(hostileBot.body.id)}`
          for (const garbage of [
            Uint8Array.from({ length: 256 }, (_, byte) => byte),
            new Uint8Array([0xff, 0x00]),
          ]) {
            await nc.request(subject, garbage, { timeout: 5_000 })
            garbagePublished++
          }
        } catch {
          // NATS was being restarted.
        } finally {
          await nc.close().catch(() => undefined)
        }
      }
      const runOversized = async () => {
        const answer = await call('POST', `/${customer}/task/${task.body.id}/job`, {
          task_arguments: ['x'.repeat(1_100_000)],
        }).catch(() => undefined)
        if (answer === undefined || answer.status >= 500) return
        expect([413, 422], answer.text).toContain(answer.status)
        oversizedRefused++
      }

      // Submissions: a failed or unanswered one is retried with its Idempotency-Key, so that a job it
      // may have created is answered rather than created again: every job stored is one acknowledged.
      const acknowledged = new Set<string>()
      let submitFailures = 0
      let submission = randomUUID()
      const submitting = (async () => {
        while (acknowledged.size < JOBS) {
          await waitUntil(async () => acknowledged.size - (await startedJobs()) < BACKLOG, {
            timeoutMs: SETTLE_MS,
            intervalMs: 100,
            message: `the backlog to shrink (${acknowledged.size} submitted)`,
          })
          const poison = acknowledged.size % POISON_EVERY === Math.floor(POISON_EVERY / 2)
          if (poison) await Promise.all([publishGarbage(), runOversized()])
          const answer = await call(
            'POST',
            `/${customer}/task/${(poison ? poisonTask : task).body.id}/job`,
            {},
            {
              'idempotency-key': submission,
            },
          ).catch(() => undefined)
          if (answer?.status === 201) {
            acknowledged.add(String(answer.body.id))
            if (poison) poisonJobs.add(String(answer.body.id))
            submission = randomUUID()
          } else {
            submitFailures++
            await pause(250)
          }
        }
      })()
      submitting.catch(() => undefined)

      let botInFlight = new Set<string>()
      const crash = (name: string) => async () => {
        await platform.kill(name)
        await pause(1_000)
        await platform.restart(name)
      }
      const faults: { name: string; inject: () => Promise<void> }[] = [
        ...SERVICES.map((service) =>
          service === 'job-scheduler'
            ? {
                name: 'kill -9 job-scheduler mid-workflow',
                async inject() {
                  const runs = await Promise.all(Array.from({ length: WORKFLOW_RUNS }, startRun))
                  workflowRuns.push(...runs)
                  // Killed once a run has gone past its start node: its branches' jobs are live.
                  await waitUntil(
                    async () => {
                      for (const runId of runs) {
                        const run = await readRun(runId)
                        if (run.nodes.some((node) => node.key !== 'a' && node.state === 'running'))
                          return true
                      }
                      return false
                    },
                    { timeoutMs: SETTLE_MS, intervalMs: 100, message: 'a workflow run past its start node' },
                  )
                  await crash('job-scheduler')()
                },
              }
            : { name: `kill -9 ${service}`, inject: crash(service) },
        ),
        {
          name: 'kill -9 the bot mid-job',
          async inject() {
            await waitUntil(async () => (await unfinishedJobs(true)).length > 0, {
              timeoutMs: SETTLE_MS,
              message: 'a job running on the bot',
            })
            await platform.kill('bot')
            botInFlight = await unfinishedInJournal()
            await pause(1_000)
            await platform.restart('bot')
          },
        },
        { name: 'kill -9 nats-server', inject: crash('nats') },
        { name: 'restart Postgres', inject: crash('postgres') },
        {
          name: 'webhook receiver b away',
          async inject() {
            await b.receiver.down()
            const from = await startedJobs()
            await waitUntil(
              async () => (await startedJobs()) >= Math.min(JOBS, from + Math.ceil(JOBS / 20)),
              {
                timeoutMs: SETTLE_MS,
                message: 'jobs to go on while receiver b is away',
              },
            )
            await b.receiver.up()
          },
        },
      ]
      const injected: FaultRecord[] = []
      for (const [index, fault] of faults.entries()) {
        const due = Math.floor(((index + 1) * JOBS) / (faults.length + 2))
        await waitUntil(async () => (await startedJobs()) >= due, {
          timeoutMs: SETTLE_MS,
          intervalMs: 100,
          message: `${due} jobs started before "${fault.name}"`,
        })
        const at = Date.now()
        const atJob = await startedJobs()
        await fault.inject()
        injected.push({ name: fault.name, atJob, ms: Date.now() - at })
      }
      await submitting

      // Every job the store knows ends, exactly once, and the read model says how.
      await waitUntil(async () => (await unfinishedJobs()).length === 0, {
        timeoutMs: SETTLE_MS,
        intervalMs: 500,
        message: 'every job to end',
      }).catch(async (error: Error) => {
        const streams = await jobStreams()
        const stuck = (await unfinishedJobs()).slice(0, 10)
        throw new Error(
          `${error.message}; not ended:\n${stuck.map((id) => `  ${id}\n${describeJob(streams.get(id) ?? [])}`).join('\n')}`,
        )
      })
      const streams = await jobStreams()
      const notSucceeded: string[] = []
      const problems: string[] = []
      const explain = (id: string, what: string) =>
        problems.push(`job ${id}: ${what}\n${describeJob(streams.get(id) ?? [])}`)
      for (const id of acknowledged)
        if (!streams.has(id)) problems.push(`job ${id} was acknowledged but never stored`)
      // A job of a workflow run is the run's: acknowledged through its run (checked below).
      const nodeJobs = new Map<string, { runId: string; node: string }>()
      for (const [id, events] of streams) {
        const of = workflowNodeOf(events)
        if (of !== undefined) nodeJobs.set(id, of)
      }
      for (const id of streams.keys())
        if (!acknowledged.has(id) && !nodeJobs.has(id))
          problems.push(`job ${id} was stored but never acknowledged (a retry ran twice)`)

      // Every run ends as its jobs say: each node ran one job (none queued twice, none lost), and the
      // run succeeded when every node did.
      const runs = new Map<string, Awaited<ReturnType<typeof readRun>>>()
      await waitUntil(
        async () => {
          for (const runId of workflowRuns) runs.set(runId, await readRun(runId))
          return [...runs.values()].every(
            (run) => run.lifecycle === 'finished' || run.lifecycle === 'canceled',
          )
        },
        { timeoutMs: SETTLE_MS, intervalMs: 500, message: 'every workflow run to end' },
      ).catch((error: Error) => {
        throw new Error(
          `${error.message}: ${JSON.stringify([...runs.values()].filter((run) => run.lifecycle === 'assigned'))}`,
        )
      })
      for (const id of nodeJobs.keys())
        if (!workflowRuns.includes(nodeJobs.get(id)!.runId))
          problems.push(`job ${id} runs node ${nodeJobs.get(id)!.node} of a run never started`)
      for (const [runId, run] of runs) {
        const queued = [...nodeJobs].filter(([, of]) => of.runId === runId)
        const recorded = run.nodes.flatMap((node) => node.job_ids)
        if (queued.length !== recorded.length || queued.some(([id]) => !recorded.includes(id)))
          problems.push(`run ${runId}: jobs queued ${queued.map(([id]) => id)}, the run knows ${recorded}`)
        let succeeded = true
        for (const node of run.nodes) {
          if (node.job_ids.length > 1)
            problems.push(`run ${runId}: node ${node.key} had ${node.job_ids.length} jobs`)
          const jobId = node.job_ids[0]
          if (jobId === undefined) {
            succeeded = false
            if (node.state !== 'skipped')
              problems.push(`run ${runId}: node ${node.key} ${node.state} without a job`)
            continue
          }
          const end = streams.get(jobId)?.find(isTerminal)
          const view = end === undefined ? undefined : terminalView(end)
          const expected =
            view?.state === 'success' ? 'succeeded' : view?.state === 'canceled' ? 'canceled' : 'failed'
          if (node.state !== expected)
            problems.push(
              `run ${runId}: node ${node.key} ${node.state}, its job ended ${view?.lifecycle}/${view?.state}`,
            )
          if (expected !== 'succeeded') succeeded = false
        }
        if (run.state !== (succeeded ? 'success' : 'failure'))
          problems.push(`run ${runId} ended ${run.state}: ${JSON.stringify(run.nodes)}`)
      }

      const rows = new Map(
        (await db('job-scheduler').selectFrom('jobs').selectAll().execute()).map((row) => [
          row.id as string,
          row,
        ]),
      )
      const outcomes = new Map<string, number>()
      for (const [id, events] of streams) {
        const terminal = events.filter(isTerminal)
        if (terminal.length !== 1) {
          explain(id, `${terminal.length} terminal events`)
          continue
        }
        const expected = terminalView(terminal[0]!)
        const row = rows.get(id)
        if (row === undefined || row.lifecycle !== expected.lifecycle || row.state !== expected.state) {
          explain(
            id,
            `read model ${row?.lifecycle}/${row?.state}, events say ${expected.lifecycle}/${expected.state}`,
          )
        }
        const outcome = `${expected.lifecycle}/${expected.state}`
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)

        // Its script ran at most once, and a job that succeeded ran exactly once.
        const lines = (
          await readFile(join(nodeJobs.has(id) ? nodeMarkers : markers, id), 'utf8').catch(() => '')
        )
          .split('\n')
          .filter((line) => line !== '')
        if (lines.length > 1)
          explain(id, `its script ran ${lines.length} times:\n    ${lines.join('\n    ')}`)
        if (outcome === 'finished/success' && lines.length !== 1)
          explain(id, 'succeeded without running its script')
        // Only a job the bot may have been running when it was killed can end otherwise.
        if (outcome !== 'finished/success') {
          notSucceeded.push(`${id} ${outcome}: ${describeJob(events.slice(-1)).trim()}`)
          if (!botInFlight.has(id)) explain(id, `ended ${outcome}`)
        }
      }
      for (const id of rows.keys()) if (!streams.has(id)) problems.push(`read model row ${id} has no events`)
      expect(problems, problems.join('\n')).toEqual([])

      // Every public event recorded since the subscriptions existed reached both receivers, signed.
      const stored = [
        ...(await readEvents(db('task-catalog'))),
        ...(await readEvents(db('job-scheduler'))),
        ...(await readEvents(db('bot-dispatch'))),
      ]
      const expectedEvents = publicEventsOf(stored).filter((event) => event.occurredAt >= since)
      const deliveryOf = async () =>
        new Map(
          (
            await db('webhook-relay')
              .selectFrom('webhook_deliveries')
              .select(['id', 'event_id', 'subscription_id', 'status', 'attempt_count', 'last_error'])
              .execute()
          ).map((row) => [row.id as string, row]),
        )
      const missing = async () => {
        const deliveries = await deliveryOf()
        const received = new Set<string>()
        for (const subscriber of subscribers) {
          for (const webhookId of subscriber.verified) {
            const delivery = deliveries.get(webhookId)
            if (delivery?.subscription_id === subscriber.id)
              received.add(`${delivery.event_id} ${subscriber.id}`)
          }
        }
        return subscribers.flatMap((subscriber) =>
          expectedEvents
            .filter((event) => !received.has(`${event.eventId} ${subscriber.id}`))
            .map((event) => ({ subscriber, event })),
        )
      }
      let undelivered = await missing()
      await waitUntil(
        async () => {
          undelivered = await missing()
          return undelivered.length === 0
        },
        {
          timeoutMs: SETTLE_MS,
          intervalMs: 1_000,
          message: 'every event delivered',
        },
      ).catch(() => undefined)
      if (undelivered.length > 0) {
        const deliveries = [...(await deliveryOf()).values()]
        const lines = undelivered.slice(0, 20).map(({ subscriber, event }) => {
          const delivery = deliveries.find(
            (d) => d.event_id === event.eventId && d.subscription_id === subscriber.id,
          )
          return `  ${subscriber.name}: ${event.name} ${event.streamType} ${event.streamId} event ${event.eventId} at ${event.occurredAt.toISOString()}; delivery ${delivery === undefined ? 'never created' : `${delivery.status}, ${delivery.attempt_count} attempts, ${delivery.last_error}`}`
        })
        expect.fail(
          `${undelivered.length} of ${expectedEvents.length * subscribers.length} deliveries missing:\n${lines.join('\n')}`,
        )
      }
      for (const subscriber of subscribers)
        expect(subscriber.invalid, `${subscriber.name}: bad signatures`).toEqual([])
      for (const subscriber of subscribers) {
        const answer = await call('GET', `/${customer}/subscription/${subscriber.id}`)
        expect(answer.body, `subscription ${subscriber.name}`).toMatchObject({ enabled: true })
      }
      // How long the organization's other jobs took from queued to their end, poison beside them.
      const durations = [...streams]
        .filter(([id]) => !poisonJobs.has(id))
        .map(([, events]) => {
          const end = events.find(isTerminal)
          return end === undefined ? 0 : end.occurredAt.getTime() - events[0]!.occurredAt.getTime()
        })
        .sort((a, b) => a - b)
      const percentile = (p: number) =>
        (
          (durations[Math.min(durations.length - 1, Math.floor((p / 100) * durations.length))] ?? 0) / 1000
        ).toFixed(1)

      // What was set aside: the garbage reports, nothing of the organization's jobs.
      // Every garbage report acknowledged by the stream is set aside, and nothing else is.
      const quarantined = await waitUntil(
        async () => {
          const { items } = await quarantineListing(platform)
          return items.length >= garbagePublished ? items : false
        },
        { timeoutMs: SETTLE_MS, message: `${garbagePublished} garbage reports to be set aside` },
      )
      expect(quarantined).toHaveLength(garbagePublished)
      const byPipeline = new Map<string, number>()
      for (const item of quarantined) byPipeline.set(item.pipeline, (byPipeline.get(item.pipeline) ?? 0) + 1)
      for (const item of quarantined)
        expect(item.pipeline, JSON.stringify(item)).toMatch(/^consumer:REPORTS\//)
      const received = subscribers.reduce((sum, subscriber) => sum + subscriber.receiver.requests.length, 0)
      const distinct = subscribers.reduce((sum, subscriber) => sum + subscriber.verified.size, 0)

      // Each event store rebuilds to the read models it has: stop every process, rebuild, compare.
      await platform.kill('bot')
      for (const service of [...SERVICES].reverse()) await platform.kill(service)
      const differences: string[] = []
      for (const service of Object.keys(PROJECTIONS)) {
        differences.push(...(await rebuildDifferences(service, db(service))))
      }
      expect(differences, differences.join('\n')).toEqual([])

      console.log(
        [
          `fault suite: ${streams.size} jobs (${acknowledged.size} acknowledged, ${submitFailures} submissions failed and retried; ${nodeJobs.size} node jobs of ${runs.size} workflow runs: ${[...runs.values()].map((run) => run.state).join(', ')}) in ${((Date.now() - started) / 1000).toFixed(0)}s`,
          `  outcomes: ${[...outcomes].map(([outcome, count]) => `${outcome} ${count}`).join(', ')}; unfinished in the bot's journal at its kill: ${botInFlight.size}`,
          ...notSucceeded.map((line) => `    ${line}`),
          `  faults: ${injected.map((fault) => `${fault.name} (at job ${fault.atJob}, ${(fault.ms / 1000).toFixed(1)}s)`).join('; ')}`,
          `  webhooks: ${expectedEvents.length} events x ${subscribers.length} subscriptions; ${received} requests, ${received - distinct} of them repeats`,
          `  poison: ${poisonJobs.size} jobs printing every byte value (all checked as above), ${garbagePublished} garbage reports published with a bot's credentials, ${oversizedRefused} oversized runs refused; quarantined: ${quarantined.length} (${[...byPipeline].map(([pipeline, count]) => `${pipeline} ${count}`).join(', ') || 'none'}); jobs lost: 0`,
          `  the other jobs, queued to ended (faults included): p50 ${percentile(50)}s, p99 ${percentile(99)}s, max ${percentile(100)}s`,
        ].join('\n'),
      )
      failed = false
    },
    TEST_TIMEOUT_MS,
  )
})
