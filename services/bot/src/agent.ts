import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import {
  type Consumer,
  type ConsumerMessages,
  type JetStreamClient,
  type JsMsg,
  jetstream,
} from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { natsAuthenticator } from '@taskforge/bus'
import { backoffDelay, DEFAULT_MAX_PAYLOAD, messageBudget } from '@taskforge/core'
import { type CancelJobControl, DispatchJob } from '@taskforge/proto/bots/v1/protocol'
import { createLogger, type Logger } from '@taskforge/telemetry'
import { ControlListener } from './control-listener.js'
import { type BotCredentials, natsAuthOf } from './credentials.js'
import { decideOutcome } from './execution/outcome.js'
import { DEFAULT_OUTPUT_LIMIT_BYTES } from './execution/output-capture.js'
import { startHeartbeat } from './heartbeat.js'
import { JobReporter } from './job-reporter.js'
import { JobRun } from './job-run.js'
import { Journal, type JournalEntry } from './journal.js'
import { killJobProcesses } from './orphans.js'
import { pause, RECONNECT_BACKOFF, ReportPublisher } from './report-publisher.js'
import { catalogScriptSource } from './scripts/catalog-script-source.js'
import { ScriptCache } from './scripts/script-cache.js'
import { catalogSecretEnv, type SecretEnvSource } from './secrets/catalog-secret-env.js'
import { BOT_VERSION } from './version.js'

export interface BotAgentOptions {
  credentials: BotCredentials
  /** Jobs run at once; the bot never pulls more dispatches than it has free slots. */
  concurrency: number
  workDir: string
  killGraceMs: number
  /** On stop, how long running jobs may go on before they are stopped and reported as errors. */
  shutdownTimeoutMs: number
  outputLimitBytes?: number
  heartbeatIntervalMs?: number
  /** How long one pull request waits for dispatches. */
  pullExpiresMs?: number
  logger?: Logger
  /** Environment the jobs' base environment is taken from (PATH, LANG); default process.env. */
  env?: NodeJS.ProcessEnv
  /** How long fetching a script, or opening secret variables, keeps trying while the catalog cannot answer (default 2 minutes). */
  scriptFetchTimeoutMs?: number
}

export const RESTARTED_REASON = 'bot restarted during the run'
export const SHUTDOWN_REASON = 'bot shutting down'

/**
 * The bot agent: pulls its own dispatch durable, runs each job (at most `concurrency` at once, each
 * at most once per bot thanks to the journal), reports on its report subject and sends heartbeats.
 */
export class BotAgent {
  private readonly jobs = new Map<string, JobRun>()
  private slotsUsed = 0
  private slotFreed: (() => void) | undefined
  private stopping = false
  private readonly stopSignal = new AbortController()
  private batch: ConsumerMessages | undefined
  private loop: Promise<void> = Promise.resolve()
  private heartbeat: { stop(): void } | undefined
  private control: ControlListener | undefined
  private stopped: Promise<void> | undefined

  private constructor(
    private readonly options: BotAgentOptions,
    private readonly logger: Logger,
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly journal: Journal,
    private readonly reports: ReportPublisher,
    private readonly scripts: ScriptCache,
    private readonly secretEnv: SecretEnvSource,
  ) {}

  /** Connects (waiting for NATS if it is not up yet, reconnecting forever after) and starts working. */
  static async start(options: BotAgentOptions): Promise<BotAgent> {
    const { credentials } = options
    const logger = options.logger ?? createLogger('bot', { botId: credentials.botId })
    const journal = await Journal.open(options.workDir)
    let nc: NatsConnection
    try {
      const authenticator = natsAuthenticator(natsAuthOf(credentials))
      nc = await connect({
        servers: credentials.natsUrl.split(',').map((url) => url.trim()),
        name: `bot ${credentials.name} (${credentials.botId})`,
        ...(authenticator === undefined ? {} : { authenticator }),
        inboxPrefix: credentials.natsInboxPrefix,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1000,
        waitOnFirstConnect: true,
        // Otherwise every request (each pull, publish ack and ack-ack) captures a stack trace up front,
        // only to decorate a timeout that hardly ever comes.
        noAsyncTraces: true,
      })
    } catch (error) {
      await journal.close()
      throw error
    }
    const js = jetstream(nc)
    const reports = new ReportPublisher(js, credentials.reportSubject, logger)
    const scripts = new ScriptCache({
      dir: join(options.workDir, 'scripts'),
      source: catalogScriptSource(nc, {
        subject: credentials.scriptSubject,
        customer: credentials.customer,
        logger,
        ...(options.scriptFetchTimeoutMs === undefined
          ? {}
          : { giveUpAfterMs: options.scriptFetchTimeoutMs }),
      }),
      logger,
    })
    const secretEnv = catalogSecretEnv(nc, {
      subject: credentials.secretSubject,
      customer: credentials.customer,
      logger,
      ...(options.scriptFetchTimeoutMs === undefined ? {} : { giveUpAfterMs: options.scriptFetchTimeoutMs }),
    })
    const agent = new BotAgent(options, logger, nc, js, journal, reports, scripts, secretEnv)
    agent.begin()
    return agent
  }

  get runningJobs(): number {
    return this.jobs.size
  }

  private begin(): void {
    const { credentials, concurrency } = this.options
    void this.watchConnection()
    this.heartbeat = startHeartbeat(
      this.nc,
      credentials.heartbeatSubject,
      {
        botId: credentials.botId,
        customer: credentials.customer,
        concurrency,
        version: BOT_VERSION,
        runningJobIds: () => [...this.jobs.keys()],
      },
      this.options.heartbeatIntervalMs,
    )
    this.loop = (async () => {
      await this.recover()
      await this.listenToControl()
      await this.pullLoop()
    })().catch((error: unknown) => {
      if (!this.stopping) this.logger.error({ err: error }, 'dispatch loop failed')
    })
    this.logger.info(
      { concurrency, workDir: this.options.workDir, consumer: credentials.dispatchConsumer },
      'bot started',
    )
  }

  private async watchConnection(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type !== 'disconnect' && status.type !== 'reconnect') continue
      const server = 'server' in status ? status.server : undefined
      const log = status.type === 'disconnect' ? this.logger.warn : this.logger.info
      log.call(this.logger, { status: status.type, server }, 'NATS connection status')
    }
  }

  /** Bound of one report, from what the server allows now (it may change with a reconnection). */
  private get maxReportBytes(): number {
    return messageBudget(this.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD)
  }

  /** Jobs the journal says were running when the bot last stopped: report them and end their leftovers. */
  private async recover(): Promise<void> {
    for (const entry of this.journal.unfinished()) {
      if (this.stopping) return
      await this.reportLost(entry)
    }
  }

  private async reportLost(entry: JournalEntry): Promise<void> {
    const killed = await killJobProcesses(entry.jobId)
    this.logger.warn(
      { jobId: entry.jobId, attempt: entry.attempt, killedProcesses: killed },
      RESTARTED_REASON,
    )
    const reporter = new JobReporter(
      this.reports,
      {
        botId: this.options.credentials.botId,
        customer: this.options.credentials.customer,
        jobId: entry.jobId,
        attempt: entry.attempt,
      },
      this.maxReportBytes,
    )
    await reporter.lost(decideOutcome({ kind: 'not-started', reason: RESTARTED_REASON }, '', 0))
    await this.journal.recordFinished(entry.jobId)
    await rm(join(this.options.workDir, 'jobs', `${entry.jobId}-${entry.attempt}`), {
      recursive: true,
      force: true,
    })
  }

  /** Starts reading orders, after those that waited while the bot was away. */
  private async listenToControl(): Promise<void> {
    if (this.stopping) return
    this.control = new ControlListener({
      js: this.js,
      botId: this.options.credentials.botId,
      logger: this.logger,
      onCancel: (order) => this.cancelJob(order),
      ...(this.options.pullExpiresMs === undefined ? {} : { pullExpiresMs: this.options.pullExpiresMs }),
    })
    await this.control.start()
  }

  /**
   * Cancels a job: a running one is stopped like a timeout (its process group gets SIGTERM, then
   * SIGKILL) and reported canceled; one not received yet is remembered, so that its dispatch is never
   * run. An order about another attempt, or a job already done, changes nothing.
   */
  async cancelJob(order: CancelJobControl): Promise<void> {
    const run = this.jobs.get(order.jobId)
    if (run !== undefined) {
      if (order.attempt === 0 || run.attempt === order.attempt) {
        this.logger.info({ jobId: order.jobId, reason: order.reason }, 'canceling job')
        run.cancel(order.reason || 'canceled')
      }
      return
    }
    if (this.journal.get(order.jobId) !== undefined) return
    this.logger.info({ jobId: order.jobId }, 'job canceled before it arrived: it will not run')
    await this.journal.recordCanceled(order.jobId, order.attempt)
  }

  private async pullLoop(): Promise<void> {
    const { credentials, concurrency } = this.options
    let consumer: Consumer | undefined
    let failures = 0
    while (!this.stopping) {
      try {
        consumer ??= await this.js.consumers.get(credentials.dispatchStream, credentials.dispatchConsumer)
        const free = concurrency - this.slotsUsed
        if (free <= 0) {
          await this.waitForSlot()
          continue
        }
        this.batch = await consumer.fetch({
          max_messages: free,
          expires: this.options.pullExpiresMs ?? 10_000,
        })
        for await (const msg of this.batch) this.accept(msg)
        failures = 0
      } catch (error) {
        if (this.stopping) break
        // Looked up again on the next round, in case it was deleted and created anew.
        consumer = undefined
        const delay = backoffDelay(RECONNECT_BACKOFF, failures)
        failures += 1
        const log = failures === 1 || failures % 20 === 0 ? this.logger.warn : this.logger.debug
        log.call(this.logger, { err: error, retryInMs: delay }, 'cannot pull dispatches')
        await pause(delay, this.stopSignal.signal)
      } finally {
        this.batch = undefined
      }
    }
  }

  private waitForSlot(): Promise<void> {
    return new Promise((resolve) => {
      this.slotFreed = resolve
    })
  }

  /** Takes a slot synchronously, so the next pull asks only for what is still free. */
  private accept(msg: JsMsg): void {
    this.slotsUsed += 1
    void this.handle(msg)
      .catch((error: unknown) => this.logger.error({ err: error }, 'dispatch not handled'))
      .finally(() => {
        this.slotsUsed -= 1
        const wake = this.slotFreed
        this.slotFreed = undefined
        wake?.()
      })
  }

  private async handle(msg: JsMsg): Promise<void> {
    const { credentials } = this.options
    let dispatch: DispatchJob
    try {
      dispatch = DispatchJob.decode(msg.data)
    } catch (error) {
      this.logger.error({ err: error, seq: msg.seq }, 'undecodable dispatch dropped')
      msg.term()
      return
    }
    const spec = dispatch.jobSpec
    if (
      dispatch.jobId === '' ||
      spec === undefined ||
      (dispatch.botId !== '' && dispatch.botId !== credentials.botId)
    ) {
      this.logger.error({ jobId: dispatch.jobId, botId: dispatch.botId }, 'dispatch not for this bot dropped')
      msg.term()
      return
    }
    const known = this.journal.get(dispatch.jobId)
    if (this.jobs.has(dispatch.jobId) || known?.finished) {
      this.logger.info(
        { jobId: dispatch.jobId, attempt: dispatch.attempt },
        'dispatch of a job already run: not run again',
      )
      msg.ack()
      return
    }
    if (known !== undefined) {
      await this.reportLost(known)
      msg.ack()
      return
    }
    if (this.stopping) {
      msg.nak()
      return
    }
    const run = new JobRun(
      {
        botId: credentials.botId,
        jobsDir: join(this.options.workDir, 'jobs'),
        journal: this.journal,
        reports: this.reports,
        killGraceMs: this.options.killGraceMs,
        outputLimitBytes: this.options.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES,
        maxReportBytes: this.maxReportBytes,
        logger: this.logger,
        botEnv: this.options.env ?? process.env,
        scripts: this.scripts,
        secretEnv: this.secretEnv,
      },
      { ...dispatch, jobSpec: spec },
      msg,
    )
    this.jobs.set(dispatch.jobId, run)
    try {
      await run.done
    } finally {
      this.jobs.delete(dispatch.jobId)
    }
  }

  /**
   * Stops pulling, lets running jobs finish for up to `shutdownTimeoutMs`, then stops them (their
   * process groups get SIGTERM, then SIGKILL) and reports them as errors, and closes the connection.
   */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown()
    return this.stopped
  }

  private async shutdown(): Promise<void> {
    this.stopping = true
    this.stopSignal.abort()
    this.slotFreed?.()
    await this.batch?.close().catch(() => {})
    await this.loop
    const running = () => Promise.allSettled([...this.jobs.values()].map((job) => job.done))
    if (this.jobs.size > 0) {
      this.logger.info({ runningJobs: this.jobs.size }, 'waiting for running jobs')
      const finished = await Promise.race([
        running().then(() => true),
        sleep(this.options.shutdownTimeoutMs, false),
      ])
      if (!finished) {
        this.logger.warn({ runningJobs: this.jobs.size }, 'stopping the jobs still running')
        for (const job of this.jobs.values()) job.abort(SHUTDOWN_REASON)
        // Their reports may not get through if NATS is gone: the journal reports them on the next start.
        const reported = await Promise.race([
          running().then(() => true),
          sleep(this.options.killGraceMs + 10_000, false),
        ])
        if (!reported) this.reports.abort()
      }
    }
    this.scripts.close()
    // Orders are heard until the jobs ended: a cancel during the shutdown wait still applies.
    await this.control?.stop()
    this.reports.abort()
    this.heartbeat?.stop()
    await this.journal.close()
    await this.nc.drain().catch(() => this.nc.close())
    this.logger.info('bot stopped')
  }
}

function sleep<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms).unref())
}
