import type { ConsumerMessages } from '@nats-io/jetstream'
import { type Bus, Streams } from '@taskforge/bus'
import { newId } from '@taskforge/core'
import { BotControl, BotReport, DispatchJob } from '@taskforge/proto/bots/v1/protocol'
import type { JobSpec } from '@taskforge/proto/jobs/v1/model'
import { waitUntil } from '@taskforge/testkit'
import { CONTROL_STREAM, controlConsumerName } from '../control-listener.js'
import { type BotCredentials, parseCredentials } from '../credentials.js'

/** The streams bot-dispatch declares, and the durable it creates for each bot. */
export async function declareBot(bus: Bus, natsUrl: string, botId = newId()): Promise<BotCredentials> {
  await bus.ensureStream(Streams.DISPATCH)
  await bus.ensureStream(Streams.REPORTS)
  await bus.ensureConsumer(Streams.DISPATCH.name, {
    durable: `bot-${botId}`,
    filterSubjects: [`dispatch.${botId}`],
  })
  await bus.ensureStream({ name: CONTROL_STREAM, subjects: ['control.>'] })
  await bus.ensureConsumer(CONTROL_STREAM, {
    durable: controlConsumerName(botId),
    filterSubjects: [`control.${botId}`],
  })
  return parseCredentials(JSON.stringify({ id: botId, name: 'test', customer: 'demo', nats_url: natsUrl }))
}

export function jobSpec(script: string, overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    taskId: newId(),
    taskName: 'test task',
    hostId: '',
    scriptFilename: 'script.sh',
    scriptContent: Buffer.from(script),
    runAs: '',
    env: {},
    timeout: 0,
    multitasking: true,
    taskVersion: 1,
    ...overrides,
  }
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
    spec,
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
  await bus.publish(`control.${credentials.botId}`, BotControl.encode(control).finish(), {
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
