import { Bus, Streams, subjects } from '@taskforge/bus'
import { OutboxRelay, Projector } from '@taskforge/event-store'
import {
  heartbeatMetrics,
  jobMetrics,
  publisherDropMetrics,
  scheduleMetrics,
  trackConsumerLag,
} from '@taskforge/metrics'
import { TaskCatalogServiceClient } from '@taskforge/proto/catalog/v1/catalog_service'
import { JobSchedulerServiceService } from '@taskforge/proto/jobs/v1/scheduler_service'
import { Durables } from '@taskforge/protocol'
import { addService, createClient, readGrpcAuth, serveGrpc } from '@taskforge/rpc'
import {
  openServiceStore,
  type RunningService,
  runMain,
  type StartServiceOptions,
  startService,
} from '@taskforge/runtime'
import { renewLeasesFromHeartbeats } from './app/heartbeat-leases.js'
import { LeaseSweeper } from './app/lease-sweeper.js'
import { createRunKeysTable, forgetExpiredRunKeys } from './app/run-keys.js'
import { BOT_DELETIONS_SUBJECT, consumeBotDeletions } from './bots/bot-deletions.js'
import { TasksToRun } from './catalog/tasks-to-run.js'
import { JobChangeFeed } from './changes/job-change-feed.js'
import { loadSchedulerConfig, type SchedulerConfig } from './config.js'
import { schedulerService } from './grpc/scheduler-service.js'
import { jobMetricsSource } from './metrics/job-metrics-source.js'
import { JobTimings } from './metrics/job-timings.js'
import { jobLogProjection } from './projection/job-log-projection.js'
import { jobsProjection } from './projection/jobs-projection.js'
import { consumeReports, REPORTS_MAX_ACK_PENDING } from './reports/reports-consumer.js'
import { createJobScheduleTable } from './schedule/job-schedule-table.js'
import {
  createScheduleTables,
  ScheduleTimers,
  scheduleService,
  schedulesProjection,
} from './schedules/index.js'
import { startTriggers } from './triggers/start-triggers.js'
import { loadTriggerConfig } from './triggers/trigger-settings.js'
import {
  consumeWorkflowVersions,
  createWorkflowTables,
  startTriggeredWorkflowRun,
  WorkflowRunTimers,
  workflowRunService,
  workflowRunsProjection,
} from './workflows/index.js'

export { loadSchedulerConfig, type SchedulerConfig, schedulerSettings } from './config.js'
export { triggerSettings } from './triggers/trigger-settings.js'

export const SERVICE_NAME = 'job-scheduler'
/** Who calls the scheduler: the gateway only. */
export const GRPC_CALLERS: readonly string[] = ['gateway']
/** How often run keys older than their retention are deleted. */
const RUN_KEY_SWEEP_INTERVAL_MS = 60 * 60 * 1000

export type StartSchedulerOptions = StartServiceOptions

export interface RunningScheduler extends RunningService {
  /** The port the gRPC server bound (useful when 0 was asked for). */
  grpcPort: number
}

/**
 * Composition root of job-scheduler: event store, the `jobs`, `job_log` and `schedules` projections (and
 * the jobs' change feed), the schedules' firing loop, outbox relay to EVENTS, the REPORTS consumer, job leases (renewed by heartbeats, swept when
 * they run out) and the `JobSchedulerService` gRPC server, under one service lifecycle.
 *
 * @example
 * const scheduler = await startScheduler(loadSchedulerConfig())
 * await scheduler.stop()
 */
export async function startScheduler(
  config: SchedulerConfig,
  options: StartSchedulerOptions = {},
): Promise<RunningScheduler> {
  return startService(SERVICE_NAME, config, options, async (ctx) => {
    const { logger } = ctx
    const auth = readGrpcAuth(config.grpcAuthFile, SERVICE_NAME)
    const { db, store, quarantine } = await openServiceStore(ctx, {
      databaseUrl: config.databaseUrl,
      tables: async (connection) => {
        await jobsProjection.setup(connection)
        await jobLogProjection.setup(connection)
        await createJobScheduleTable(connection)
        await createRunKeysTable(connection)
        await schedulesProjection.setup(connection)
        await createScheduleTables(connection)
        await workflowRunsProjection.setup(connection)
        await createWorkflowTables(connection)
      },
    })

    const changes = new JobChangeFeed(config.databaseUrl, logger)
    await changes.start()
    ctx.onStop(() => changes.stop())
    const projector = new Projector(
      store,
      [jobsProjection, jobLogProjection, schedulesProjection, workflowRunsProjection],
      { logger, quarantine },
    )
    await projector.start()
    ctx.onStop(() => projector.stop())

    const bus = await Bus.connect({ servers: config.natsUrl.split(','), name: SERVICE_NAME, logger })
    ctx.onStop(() => bus.close())
    bus.useQuarantine(quarantine)
    ctx.addReadiness('nats', () => bus.connected)
    await bus.ensureStream(Streams.EVENTS)
    await bus.ensureStream(Streams.REPORTS)
    await bus.ensureConsumer(Streams.REPORTS.name, {
      durable: Durables.reports,
      filterSubjects: [subjects.report('>')],
      // Many jobs' reports at once; those of one job still apply in the order sent (consumeReports).
      maxAckPending: REPORTS_MAX_ACK_PENDING,
      // A report held by a replica that died waits for the server to give up on it, and the job's later
      // reports wait behind it: that must come well within a lease, or a finished job is ended as lost.
      ackWaitMs: Math.max(1_000, Math.floor(config.jobLeaseMs / 3)),
    })
    trackConsumerLag(ctx.metrics, bus.jsm, [{ stream: Streams.REPORTS.name, durable: Durables.reports }])

    const relay = new OutboxRelay(store, {
      name: SERVICE_NAME,
      publish: (events) => bus.publishEvents(events),
      probe: () => bus.probe(),
      quarantine,
      logger,
    })
    await relay.start()
    ctx.onStop(() => relay.stop())

    // The end of a workflow node's job leaves a wake-up for its run: the run timers (started below,
    // and reading every wake-up at start) look at it once the job's transaction committed.
    let wakeRuns: (() => void) | undefined
    const commands = { store, leaseMs: config.jobLeaseMs, onRunsWoken: () => wakeRuns?.() }
    const timings = new JobTimings(jobMetrics(ctx.metrics, jobMetricsSource(db)), logger)
    const reports = await consumeReports({
      ...commands,
      bus,
      timings,
      reportsPerBot: config.reportsPerBot,
      onDropped: publisherDropMetrics(ctx.metrics, `${Streams.REPORTS.name}/${Durables.reports}`),
    })
    ctx.onStop(() => reports.stop())
    await bus.ensureConsumer(Streams.EVENTS.name, {
      durable: Durables.botDeletions,
      filterSubjects: [BOT_DELETIONS_SUBJECT],
    })
    const deletions = await consumeBotDeletions({ ...commands, bus, logger })
    ctx.onStop(() => deletions.stop())
    const heartbeats = renewLeasesFromHeartbeats({
      bus,
      db,
      leaseMs: config.jobLeaseMs,
      logger,
      onDropped: heartbeatMetrics(ctx.metrics, 'leases'),
    })
    ctx.onStop(() => heartbeats.stop())
    const sweeper = new LeaseSweeper({ ...commands, intervalMs: config.leaseSweepIntervalMs, logger })
    await sweeper.start()
    ctx.onStop(() => sweeper.stop())

    // Expired run keys are ignored already; deleting them only keeps the table small.
    const forgetRunKeys = setInterval(() => {
      forgetExpiredRunKeys(db).catch((error: unknown) =>
        logger.warn({ err: error }, 'expired run keys not deleted; will retry'),
      )
    }, RUN_KEY_SWEEP_INTERVAL_MS)
    forgetRunKeys.unref()
    ctx.onStop(async () => clearInterval(forgetRunKeys))

    const catalogClient = createClient(TaskCatalogServiceClient, config.catalogGrpcUrl, {
      credential: auth.credential,
    })
    ctx.onStop(async () => catalogClient.close())
    // A run's read of its task, kept for a few seconds and forgotten on every change (decision 33).
    const tasksToRun = new TasksToRun(catalogClient, {
      ttlMs: config.taskCacheTtlMs,
      maxBytes: config.taskCacheMaxBytes,
    })
    const stopFollowing = await tasksToRun.watch(bus)
    ctx.onStop(stopFollowing)
    const catalog = {
      getTaskToRun: tasksToRun.getTaskToRun.bind(tasksToRun),
      getTasksToRun: tasksToRun.getTasksToRun.bind(tasksToRun),
      getWorkflow: catalogClient.getWorkflow.bind(catalogClient),
    }
    const queueQuotas = {
      perTask: config.maxQueuedJobsPerTask,
      perOrganization: config.maxQueuedJobsPerOrganization,
    }
    const onFire = scheduleMetrics(ctx.metrics)
    const scheduleTimers = new ScheduleTimers({
      ...commands,
      catalog,
      queueQuotas,
      onFire,
      logger,
      maxSleepMs: config.scheduleTimerMaxSleepMs,
      concurrency: config.scheduleTimerConcurrency,
      burst: config.scheduleTimerBurst,
    })
    await scheduleTimers.start()
    ctx.onStop(() => scheduleTimers.stop())
    const schedules = scheduleService({
      ...commands,
      db,
      projector,
      catalog,
      queueQuotas,
      onFire,
      logger,
      maxSchedulesPerOrganization: config.maxSchedulesPerOrganization,
      onArmed: (dueAt) => scheduleTimers.wake(dueAt),
    })
    const versions = await consumeWorkflowVersions({ bus, store })
    ctx.onStop(() => versions.stop())
    const runDeps = { ...commands, catalog, queueQuotas }
    const runTimers = new WorkflowRunTimers({
      ...runDeps,
      logger,
      maxSleepMs: config.scheduleTimerMaxSleepMs,
      concurrency: config.scheduleTimerConcurrency,
    })
    wakeRuns = () => runTimers.wake(new Date())
    await runTimers.start()
    ctx.onStop(() => runTimers.stop())
    const triggerConfig = loadTriggerConfig()
    const triggers = await startTriggers({
      ...commands,
      bus,
      catalog,
      logger,
      config: triggerConfig,
      startWorkflowRun: (run) =>
        startTriggeredWorkflowRun(
          {
            ...runDeps,
            logger,
            maxChainDepth: triggerConfig.maxChainDepth,
            onWoken: (dueAt) => runTimers.wake(dueAt),
          },
          run,
        ),
    })
    ctx.onStop(() => triggers.stop())
    const workflowRuns = workflowRunService({
      ...runDeps,
      db,
      projector,
      logger,
      onWoken: (dueAt) => runTimers.wake(dueAt),
    })
    const grpcPort = await serveGrpc(
      {
        auth,
        callers: GRPC_CALLERS,
        port: config.grpcPort,
        host: config.grpcHost,
        logger,
        quarantine,
        onStop: ctx.onStop,
        name: 'JobSchedulerService',
      },
      (server) =>
        addService(
          server,
          JobSchedulerServiceService,
          {
            ...schedules,
            ...workflowRuns,
            ...schedulerService({ ...commands, projector, db, catalog, changes, logger, queueQuotas }),
          },
          { logger },
        ),
    )
    return { grpcPort }
  })
}

runMain(import.meta.url, SERVICE_NAME, () => startScheduler(loadSchedulerConfig()))
