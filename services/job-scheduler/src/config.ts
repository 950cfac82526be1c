import {
  ConfigError,
  type ConfigOf,
  duration,
  int,
  loadConfig,
  Quotas,
  quotaSetting,
  str,
} from '@taskforge/core'
import { grpcAuthSetting, grpcHostSetting } from '@taskforge/rpc'
import { healthHostSetting } from '@taskforge/runtime'
import { REPORTS_PER_BOT_PER_SECOND } from './reports/reports-consumer.js'
import { DEFAULT_SCHEDULE_BURST } from './schedules/schedule-timers.js'

/** Every environment variable job-scheduler reads. */
export const schedulerSettings = {
  databaseUrl: str('DATABASE_URL', "Postgres URL of the scheduler's own database (job streams, read model)"),
  natsUrl: str('NATS_URL', 'NATS server URL(s), comma separated', 'nats://127.0.0.1:4222'),
  grpcPort: int('GRPC_PORT', 'Port of the JobSchedulerService gRPC server (0 picks a free one)', 50052),
  grpcHost: grpcHostSetting,
  healthPort: int('HEALTH_PORT', 'Port of /healthz and /readyz (0 picks a free one)', 9103),
  healthHost: healthHostSetting,
  catalogGrpcUrl: str('CATALOG_GRPC_URL', 'task-catalog gRPC address (host:port)', '127.0.0.1:50051'),
  grpcAuthFile: grpcAuthSetting,
  taskCacheTtlMs: duration(
    'TASK_CACHE_TTL',
    "How long a scheduler answers a run's read of a task (with its script) from memory; every change is told to every scheduler before it is answered, this bounds one that went untold (decision 33); 0 reads task-catalog for each run",
    '5s',
  ),
  taskCacheMaxBytes: int(
    'TASK_CACHE_MAX_BYTES',
    'Memory one scheduler gives to the tasks runs read (estimated); an organization holds at most a sixteenth of it',
    64 * 1024 * 1024,
  ),
  jobLeaseMs: duration(
    'JOB_LEASE',
    "How long a running job lives without a heartbeat or output from its bot (a few heartbeats' worth)",
    '15s',
  ),
  maxQueuedJobsPerTask: quotaSetting(Quotas.queuedJobsPerTask),
  maxQueuedJobsPerOrganization: quotaSetting(Quotas.queuedJobsPerOrganization),
  maxSchedulesPerOrganization: quotaSetting(Quotas.schedulesPerOrganization),
  scheduleTimerConcurrency: int(
    'SCHEDULE_TIMER_CONCURRENCY',
    'Bursts of due schedules one replica fires at once, each in its own transaction (a database connection each); a second starts only beside a burst that came back full',
    4,
  ),
  scheduleTimerBurst: int(
    'SCHEDULE_TIMER_BURST',
    'Due schedules fired together in one transaction (1 to 1000): one catalog read, one batch of jobs, one append for all of them',
    DEFAULT_SCHEDULE_BURST,
  ),
  scheduleTimerMaxSleepMs: duration(
    'SCHEDULE_TIMER_MAX_SLEEP',
    'Longest pause between two looks for due schedules (catches schedules another replica armed)',
    '1s',
  ),
  reportsPerBot: int(
    'REPORTS_PER_BOT_PER_SECOND',
    "Reports of one bot the scheduler handles per second (ten times that at once); past it a bot's reports are dropped unread and counted (decision 19). A bot sends about 3 a job and 4 a second per running job that prints; raise it for a bot running more than some 300 short jobs a second",
    REPORTS_PER_BOT_PER_SECOND,
  ),
  leaseSweepIntervalMs: duration(
    'JOB_LEASE_SWEEP_INTERVAL',
    'How often expired job leases are looked for',
    '1s',
  ),
}
export type SchedulerConfig = ConfigOf<typeof schedulerSettings>

/** The scheduler's configuration from the environment. */
export function loadSchedulerConfig(env: NodeJS.ProcessEnv = process.env): SchedulerConfig {
  const config = loadConfig(schedulerSettings, env)
  if (config.taskCacheTtlMs < 0 || config.taskCacheMaxBytes < 0)
    throw new ConfigError(
      'invalid configuration: TASK_CACHE_TTL and TASK_CACHE_MAX_BYTES must not be negative',
    )
  return config
}
