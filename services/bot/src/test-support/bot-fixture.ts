import type { ConsumerMessages } from '@nats-io/jetstream'
import { type Bus, Streams, subjects } from '@taskforge/bus'
import { contentSha256, newId } from '@taskforge/core'
import {
  BotControl,
  BotReport,
  DispatchJob,
  ScriptContentReply,
  ScriptContentRequest,
} from '@taskforge/proto/bots/v1/protocol'
import type { JobSpec } from '@taskforge/proto/jobs/v1/model'
import { CONTROL_STREAM, Durables } from '@taskforge/protocol'
import { waitUntil } from '@taskforge/testkit'
import { type BotCredentials, parseCredentials } from '../credentials.js'

/** The streams bot-dispatch declares, and the durable it creates for each bot. */
export async function declareBot(bus: Bus, natsUrl: string, botId = newId()): Promise<BotCredentials> {
  await bus.ensureStream(Streams.DISPATCH)
  await bus.ensureStream(Streams.REPORTS)
  await bus.ensureConsumer(Streams.DISPATCH.name, {
    durable: Durables.botDispatch(botId),
    filterSubjects: [subjects.dispatch(botId)],
  })
  await bus.ensureStream(CONTROL_STREAM)
  await bus.ensureConsumer(CONTROL_STREAM.name, {
    durable: Durables.botControl(botId),
    filterSubjects: [subjects.control(botId)],
  })
  return parseCredentials(JSON.stringify({ id: botId, name: 'test', customer: 'demo', nats_url: natsUrl }))
}

/** Every script content a test's job spec named, by hash: what the stand-in catalog serves. */
const shelf = new Map<string, Buffer>()

/** A job spec naming `script` by hash, as the scheduler writes it; the content goes to the shelf. */
export function jobSpec(script: string | Buffer, overrides: Partial<JobSpec> = {}): JobSpec {
  const content = Buffer.from(script)
  const sha256 = contentSha256(content)
  shelf.set(sha256, content)
  return {
    taskId: newId(),
    taskName: 'test task',
    hostId: '',
    scriptFilename: 'script.sh',
    scriptContent: Buffer.alloc(0),
    runAs: '',
    env: {},
    secretEnv: {},
    timeout: 0,
    multitasking: true,
    taskVersion: 1,
    scriptSha256: sha256,
    scriptSize: content.length,
    ...overrides,
  }
}

export interface ScriptServer {
  /** Every request received, in order, with the bot its subject named. */
  readonly requests: (ScriptContentRequest & { botId: string })[]
  /** Answers the next requests with these replies instead of the shelf's content. */
  readonly scripted: ScriptContentReply[]
  stop(): void
}

/**
 * A stand-in for task-catalog's script content server, answering `scripts.<bot>` from the shelf in
 * parts of `partBytes`. The bot relies only on the protocol (tested against the real catalog in
 * test/e2e/script-by-reference.e2e.spec.ts); here it stands in the way the fixture's dispatches stand
 * in for bot-dispatch.
 */
export function serveScripts(bus: Bus, options: { partBytes?: number } = {}): ScriptServer {
  const partBytes = options.partBytes ?? 256 * 1024
  const requests: ScriptServer['requests'] = []
  const scripted: ScriptContentReply[] = []
  const subscription = bus.nc.subscribe('scripts.*', {
    callback: (_error, msg) => {
      const request = ScriptContentRequest.decode(msg.data)
      requests.push({ ...request, botId: msg.subject.slice('scripts.'.length) })
      const content = shelf.get(request.sha256)
      const reply: ScriptContentReply =
        scripted.shift() ??
        (content === undefined
          ? { result: { $case: 'error', value: { code: 'NOT_FOUND', message: 'not on the shelf' } } }
          : {
              result: {
                $case: 'part',
                value: {
                  size: content.length,
                  data: content.subarray(request.offset, request.offset + partBytes),
                },
              },
            })
      msg.respond(ScriptContentReply.encode(reply).finish())
    },
  })
  return { requests, scripted, stop: () => subscription.unsubscribe() }
}

/** Publishes a DispatchJob as bot-dispatch does (msgId `<job>.<attempt>`); answers the job id. */
export async function dispatch(
  bus: Bus,
  credentials: BotCredentials,
  spec: JobSpec,
  options: { jobId?: string; args?: string[]; attempt?: number; msgId?: string } = {},
): Promise<string> {
  const jobId = options.jobId ?? newId()
  const attempt = options.attempt ?? 1
  const message: DispatchJob = {
    jobId,
    customer: credentials.customer,
    botId: credentials.botId,
    spec: undefined,
    jobSpec: spec,
    taskArgumentsValues: options.args ?? [],
    attempt,
    trace: undefined,
  }
  await bus.publish(credentials.dispatchSubject, DispatchJob.encode(message).finish(), {
    msgId: options.msgId ?? `${jobId}.${attempt}`,
  })
  return jobId
}

/** Publishes a cancel order on the bot's control subject, as bot-dispatch does. */
export async function sendCancel(
  bus: Bus,
  credentials: BotCredentials,
  jobId: string,
  options: { attempt?: number; reason?: string } = {},
): Promise<void> {
  const attempt = options.attempt ?? 1
  const control = BotControl.fromPartial({
    controlId: `${jobId}.${attempt}.cancel`,
    botId: credentials.botId,
    customer: credentials.customer,
    sentAt: new Date(),
    control: {
      $case: 'cancelJob',
      value: { jobId, attempt, reason: options.reason ?? 'canceled by a test' },
    },
  })
  await bus.publish(subjects.control(credentials.botId), BotControl.encode(control).finish(), {
    msgId: control.controlId,
  })
}

/** Reads a bot's report subject from the REPORTS stream, in stream order. */
export class ReportCollector {
  readonly reports: BotReport[] = []
  private constructor(private readonly messages: ConsumerMessages) {
    void (async () => {
      for await (const msg of messages) this.reports.push(BotReport.decode(msg.data))
    })()
  }

  static async start(bus: Bus, credentials: BotCredentials): Promise<ReportCollector> {
    const consumer = await bus.js.consumers.get(Streams.REPORTS.name, {
      filter_subjects: credentials.reportSubject,
    })
    return new ReportCollector(await consumer.consume())
  }

  of(jobId: string): BotReport[] {
    return this.reports.filter((report) => report.jobId === jobId)
  }

  /** Waits for the job's finished report; answers all its reports in order. */
  async finished(jobId: string, timeoutMs = 30_000): Promise<BotReport[]> {
    await waitUntil(() => this.of(jobId).some((report) => report.report?.$case === 'finished'), {
      timeoutMs,
      message: `finished report of ${jobId}`,
    })
    return this.of(jobId)
  }

  async stop(): Promise<void> {
    await this.messages.close()
  }
}

/** The finished report's content. */
export function finishedOf(reports: readonly BotReport[]) {
  const report = reports.find((r) => r.report?.$case === 'finished')?.report
  if (report?.$case !== 'finished') throw new Error('no finished report')
  return report.value
}

/** The text of the output reports, joined in seq order. */
export function outputOf(reports: readonly BotReport[]): string {
  return reports
    .flatMap((r) => (r.report?.$case === 'output' ? [r.report.value] : []))
    .sort((a, b) => a.seq - b.seq)
    .map((output) => output.text)
    .join('')
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
