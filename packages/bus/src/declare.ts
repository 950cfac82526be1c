import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream'
import { nanos } from '@nats-io/transport-node'
import type { StreamSpec } from '@taskforge/protocol'
import type { Logger } from '@taskforge/telemetry'

const DAY_MS = 24 * 60 * 60 * 1_000

/** A durable pull consumer the platform declares. */
export interface ConsumerSpec {
  durable: string
  filterSubjects: string[]
  /** Time the server waits for an ack before redelivering (default 30s). */
  ackWaitMs?: number
  /** Deliveries before the server gives up on a message (default -1: never). */
  maxDeliver?: number
  maxAckPending?: number
}

function replicasFromEnv(env: Record<string, string | undefined>): number {
  const raw = env.NATS_STREAM_REPLICAS
  if (raw === undefined || raw.trim() === '') return 1
  const replicas = Number.parseInt(raw, 10)
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) {
    throw new Error(`NATS_STREAM_REPLICAS must be an integer from 1 to 5, got "${raw}"`)
  }
  return replicas
}

const GiB = 1024 ** 3

/** Defaults of the stream bounds (decision 19); the environment may change them (busSettings). */
export const STREAM_LIMIT_DEFAULTS = {
  reportsMaxBytes: 2 * GiB,
  reportsMaxMsgsPerBot: 10_000,
  dispatchMaxBytes: 2 * GiB,
} as const

function positiveFromEnv(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const value = Number(raw.trim())
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got "${raw}"`)
  return value
}

/**
 * The bounds of the streams bots fill (decision 19): REPORTS holds at most `NATS_REPORTS_MAX_BYTES`
 * and at most `NATS_REPORTS_MAX_MSGS_PER_BOT` messages of one bot's subject (the oldest go first,
 * already applied in normal operation), so one bot cannot fill it for the others nor put more than
 * that many reports ahead of theirs; DISPATCH holds at most `NATS_DISPATCH_MAX_BYTES`. Other
 * streams have no bound here.
 */
export function streamLimits(
  stream: StreamSpec,
  env: Record<string, string | undefined> = process.env,
): Partial<StreamConfig> {
  if (stream.name === 'REPORTS') {
    return {
      max_bytes: positiveFromEnv(env, 'NATS_REPORTS_MAX_BYTES', STREAM_LIMIT_DEFAULTS.reportsMaxBytes),
      max_msgs_per_subject: positiveFromEnv(
        env,
        'NATS_REPORTS_MAX_MSGS_PER_BOT',
        STREAM_LIMIT_DEFAULTS.reportsMaxMsgsPerBot,
      ),
    }
  }
  if (stream.name === 'DISPATCH') {
    return {
      max_bytes: positiveFromEnv(env, 'NATS_DISPATCH_MAX_BYTES', STREAM_LIMIT_DEFAULTS.dispatchMaxBytes),
    }
  }
  return {}
}

/**
 * The configuration a stream should have: file storage, a 2 minute duplicate window (the relay's
 * `Nats-Msg-Id` dedup), messages kept 7 days, replicas from `NATS_STREAM_REPLICAS`, and the bounds
 * of {@link streamLimits}.
 */
export function streamConfig(
  stream: StreamSpec,
  overrides: Partial<StreamConfig> = {},
  env: Record<string, string | undefined> = process.env,
): Partial<StreamConfig> & { name: string } {
  return {
    name: stream.name,
    subjects: [...stream.subjects],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(2 * 60 * 1_000),
    max_age: nanos(7 * DAY_MS),
    num_replicas: replicasFromEnv(env),
    ...streamLimits(stream, env),
    ...overrides,
  }
}

/** The configuration of a durable pull consumer with explicit acks that starts at the first message. */
export function consumerConfig(spec: ConsumerSpec): Partial<ConsumerConfig> {
  const [only, ...more] = spec.filterSubjects
  // A single filter uses `filter_subject`, which servers before 2.10 also understand.
  const filter =
    only !== undefined && more.length === 0
      ? { filter_subject: only, filter_subjects: undefined }
      : { filter_subjects: [...spec.filterSubjects], filter_subject: undefined }
  return {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    ack_wait: nanos(spec.ackWaitMs ?? 30_000),
    max_deliver: spec.maxDeliver ?? -1,
    ...(spec.maxAckPending === undefined ? {} : { max_ack_pending: spec.maxAckPending }),
    ...filter,
  }
}

/** What a declaration did. */
export type DeclareOutcome = 'created' | 'updated' | 'unchanged'

const FIXED_STREAM_FIELDS = new Set(['name', 'retention', 'storage'])
const FIXED_CONSUMER_FIELDS = new Set(['durable_name', 'ack_policy', 'deliver_policy', 'replay_policy'])

function sameValue(current: unknown, desired: unknown): boolean {
  return JSON.stringify(current ?? null) === JSON.stringify(desired ?? null)
}

/** The fields whose desired value differs from the current one. */
function changedFields(current: object, desired: object): string[] {
  const currentRecord = current as Record<string, unknown>
  return Object.entries(desired)
    .filter(([key, value]) => !sameValue(currentRecord[key], value))
    .map(([key]) => key)
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code
}

async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name)
  } catch (error) {
    if (isApiError(error, JetStreamApiCodes.StreamNotFound)) return undefined
    throw error
  }
}

async function consumerInfo(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
): Promise<ConsumerInfo | undefined> {
  try {
    return await jsm.consumers.info(stream, durable)
  } catch (error) {
    if (isApiError(error, JetStreamApiCodes.ConsumerNotFound)) return undefined
    throw error
  }
}

/** Creates the stream or brings an existing one to `desired`; safe to run concurrently from every replica. */
export async function ensureStream(
  jsm: JetStreamManager,
  desired: Partial<StreamConfig> & { name: string },
  logger: Logger,
): Promise<DeclareOutcome> {
  let info = await streamInfo(jsm, desired.name)
  if (info === undefined) {
    try {
      await jsm.streams.add(desired)
      logger.info({ stream: desired.name }, 'stream created')
      return 'created'
    } catch (error) {
      // Another replica may have created it in between; fall through to the update.
      info = await streamInfo(jsm, desired.name)
      if (info === undefined) throw error
    }
  }
  const changed = changedFields(info.config, desired)
  const fixed = changed.filter((key) => FIXED_STREAM_FIELDS.has(key))
  if (fixed.length > 0) {
    logger.warn({ stream: desired.name, fields: fixed }, 'stream differs in fields that cannot be updated')
  }
  const updatable = changed.filter((key) => !FIXED_STREAM_FIELDS.has(key))
  if (updatable.length === 0) return 'unchanged'
  const update = Object.fromEntries(updatable.map((key) => [key, (desired as Record<string, unknown>)[key]]))
  await jsm.streams.update(desired.name, update)
  logger.info({ stream: desired.name, fields: updatable }, 'stream updated')
  return 'updated'
}

/** Creates the durable consumer or brings an existing one to `desired`; idempotent. */
export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  desired: Partial<ConsumerConfig> & { durable_name: string },
  logger: Logger,
): Promise<DeclareOutcome> {
  const durable = desired.durable_name
  let info = await consumerInfo(jsm, stream, durable)
  if (info === undefined) {
    try {
      await jsm.consumers.add(stream, desired)
      logger.info({ stream, durable }, 'consumer created')
      return 'created'
    } catch (error) {
      info = await consumerInfo(jsm, stream, durable)
      if (info === undefined) throw error
    }
  }
  const changed = changedFields(info.config, desired)
  const fixed = changed.filter((key) => FIXED_CONSUMER_FIELDS.has(key))
  if (fixed.length > 0) {
    logger.warn({ stream, durable, fields: fixed }, 'consumer differs in fields that cannot be updated')
  }
  const updatable = changed.filter((key) => !FIXED_CONSUMER_FIELDS.has(key))
  if (updatable.length === 0) return 'unchanged'
  const update = Object.fromEntries(updatable.map((key) => [key, (desired as Record<string, unknown>)[key]]))
  await jsm.consumers.update(stream, durable, update)
  logger.info({ stream, durable, fields: updatable }, 'consumer updated')
  return 'updated'
}
