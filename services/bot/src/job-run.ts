import type { JsMsg } from '@nats-io/jetstream'
import type { DispatchJob } from '@taskforge/proto/bots/v1/protocol'
import type { JobSpec } from '@taskforge/proto/jobs/v1/model'
import { TaskDefaults } from '@taskforge/protocol'
import { contextFromTrace, currentTraceContext, type Logger, SpanKind, withSpan } from '@taskforge/telemetry'
import { jobEnvironment } from './execution/environment.js'
import { createJobWorkspace, type JobWorkspace, removeJobWorkspace } from './execution/job-workspace.js'
import { decideOutcome, type ExecutionOutcome } from './execution/outcome.js'
import { OutputBatcher } from './execution/output-batcher.js'
import { redactableSecrets } from './execution/output-redactor.js'
import { buildArgv } from './execution/run-as.js'
import { type ScriptProcess, startScript } from './execution/script-process.js'
import { JobReporter, type ReportSink } from './job-reporter.js'
import type { Journal } from './journal.js'
import type { ScriptCache } from './scripts/script-cache.js'
import type { SecretEnvSource } from './secrets/catalog-secret-env.js'

export interface JobRunContext {
  botId: string
  jobsDir: string
  journal: Journal
  reports: ReportSink
  killGraceMs: number
  outputLimitBytes: number
  /** Bound of one encoded report: every report of a job stays within it (see {@link JobReporter}). */
  maxReportBytes: number
  logger: Logger
  botEnv: NodeJS.ProcessEnv
  scripts: ScriptCache
  /** Opens the job's secret variables (decision 18). */
  secretEnv: SecretEnvSource
}

/**
 * One dispatched job on this bot: journal, workspace, script, reports, cleanup. The dispatch is
 * acknowledged with the `started` report (in the same write to the server), so a long job never
 * holds its message; the journal already holds the job then, and it is what answers for it: a
 * dispatch that comes back (its ack lost with the connection) is recognised as running or run, and
 * a job the bot was running when it died is reported lost at its next start. The ack is not
 * confirmed by the server (no request per job).
 */
export class JobRun {
  private process: ScriptProcess | undefined
  /** The first request to stop the job: it decides how the job ends (error or canceled). */
  private stopRequest: { reason: string; as: 'error' | 'canceled' } | undefined
  /** Stops waiting for the script's content when the job is stopped before it starts. */
  private readonly preparing = new AbortController()
  readonly jobId: string
  readonly done: Promise<ExecutionOutcome>

  constructor(
    private readonly ctx: JobRunContext,
    private readonly dispatch: DispatchJob & { jobSpec: JobSpec },
    msg: JsMsg,
  ) {
    this.jobId = dispatch.jobId
    this.done = withSpan(
      'bot run job',
      {
        kind: SpanKind.CONSUMER,
        parent: contextFromTrace(dispatch.trace),
        attributes: { 'taskforge.job_id': dispatch.jobId, 'taskforge.bot_id': ctx.botId },
      },
      () => this.run(msg),
    )
  }

  /** Stops the script (SIGTERM, SIGKILL after the grace); the job ends in error with `reason`. */
  abort(reason: string): void {
    this.stop({ reason, as: 'error' })
  }

  /** Stops the script the same way; the job ends canceled (or never starts, if it had not yet). */
  cancel(reason: string): void {
    this.stop({ reason, as: 'canceled' })
  }

  /** The attempt of the job this run is. */
  get attempt(): number {
    return this.dispatch.attempt
  }

  private stop(request: NonNullable<JobRun['stopRequest']>): void {
    this.stopRequest ??= request
    this.preparing.abort(new Error(this.stopRequest.reason))
    if (this.process !== undefined) this.signal(this.process)
  }

  private signal(proc: ScriptProcess): void {
    const request = this.stopRequest
    if (request === undefined) return
    if (request.as === 'canceled') proc.cancel(request.reason)
    else proc.abort(request.reason)
  }

  private async run(msg: JsMsg): Promise<ExecutionOutcome> {
    const { ctx, dispatch } = this
    const logger = ctx.logger.child({ jobId: dispatch.jobId, attempt: dispatch.attempt })
    const reporter = new JobReporter(
      ctx.reports,
      {
        botId: ctx.botId,
        customer: dispatch.customer,
        jobId: dispatch.jobId,
        attempt: dispatch.attempt,
        trace: currentTraceContext() ?? dispatch.trace,
      },
      ctx.maxReportBytes,
    )
    await ctx.journal.recordStarted(dispatch.jobId, dispatch.attempt)

    let workspace: JobWorkspace | undefined
    let outcome: ExecutionOutcome
    const canceledEarly = this.stopRequest?.as === 'canceled' ? this.stopRequest.reason : undefined
    if (canceledEarly !== undefined) {
      msg.ack()
      outcome = decideOutcome({ kind: 'canceled-before-start', reason: canceledEarly }, '', 0)
    } else {
      try {
        const { scriptSha256: sha256, scriptSize: size } = dispatch.jobSpec
        const content = await ctx.scripts.content({ sha256, size }, this.preparing.signal)
        const secrets = await ctx.secretEnv.open(
          { taskId: dispatch.jobSpec.taskId, sealed: dispatch.jobSpec.secretEnv },
          this.preparing.signal,
        )
        workspace = await createJobWorkspace(ctx.jobsDir, `${dispatch.jobId}-${dispatch.attempt}`, {
          filename: dispatch.jobSpec.scriptFilename,
          content,
        })
        outcome = await this.execute(workspace, reporter, msg, logger, secrets)
      } catch (error) {
        const stopped = this.stopRequest
        if (stopped?.as === 'canceled' && this.process === undefined) {
          msg.ack()
          outcome = decideOutcome({ kind: 'canceled-before-start', reason: stopped.reason }, '', 0)
        } else {
          const reason = `cannot prepare the job: ${(error as Error).message}`
          logger.error({ err: error }, reason)
          void reporter.started(0)
          msg.ack()
          outcome = decideOutcome({ kind: 'not-started', reason }, '', 0)
        }
      }
    }

    await reporter.finished(outcome)
    await ctx.journal.recordFinished(dispatch.jobId)
    logger.info(
      { state: outcome.state, code: outcome.result.code, signal: outcome.result.signal },
      'job finished',
    )
    if (workspace !== undefined) {
      await removeJobWorkspace(workspace).catch((error: unknown) =>
        logger.warn({ err: error, dir: workspace?.dir }, 'job directory not removed'),
      )
    }
    return outcome
  }

  private async execute(
    workspace: JobWorkspace,
    reporter: JobReporter,
    msg: JsMsg,
    logger: Logger,
    secrets: Readonly<Record<string, string>>,
  ): Promise<ExecutionOutcome> {
    const { ctx, dispatch } = this
    const spec = dispatch.jobSpec
    const batcher = new OutputBatcher({
      maxBytes: reporter.maxChunkBytes,
      emit: (chunks) => void reporter.output(chunks),
    })
    const argv = buildArgv(spec.runAs, workspace.scriptPath, dispatch.taskArgumentsValues)
    const env = jobEnvironment({
      botEnv: ctx.botEnv,
      // The catalog keeps a name in env or in secret_env, never both.
      taskEnv: { ...spec.env, ...secrets },
      jobId: dispatch.jobId,
      taskId: spec.taskId,
      customer: dispatch.customer,
      jobDir: workspace.dir,
    })
    const timeoutSeconds = spec.timeout > 0 ? spec.timeout : TaskDefaults.timeoutSeconds
    let started = false
    const reportStarted = (pid: number | undefined) => {
      started = true
      logger.info({ pid, argv0: argv[0], timeoutSeconds }, 'job started')
      void reporter.started(pid ?? 0)
      msg.ack()
    }
    const proc = startScript({
      argv,
      cwd: workspace.dir,
      env,
      timeoutMs: timeoutSeconds * 1000,
      killGraceMs: ctx.killGraceMs,
      outputLimitBytes: ctx.outputLimitBytes,
      outputChunkBytes: reporter.maxChunkBytes,
      // Nothing downstream (reports, the log, webhooks) may see a secret value: redacted here.
      secrets: redactableSecrets(Object.values(secrets)),
      onStarted: reportStarted,
      onOutput: (piece) => batcher.push(piece),
    })
    this.process = proc
    this.signal(proc)
    const outcome = await proc.done
    // A script that could not start is still reported started (pid 0), then finished in error.
    if (!started) reportStarted(undefined)
    batcher.flush()
    return outcome
  }
}
