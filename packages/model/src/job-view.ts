import { utf8Tail } from '@taskforge/core'
import type { JobLifecycleName, JobStateName } from './job-lifecycle.js'
import { type JobDomainEvent, type JobStatus, jobStatusAfter } from './job-status.js'

/**
 * The end of a job's log its view keeps, in UTF-8 bytes: a job (and a list of jobs) stays a small
 * answer whatever its script printed. The whole log is the `job_log` read model's (GET .../log).
 */
export const VIEW_LOG_BYTES = 64 * 1024

/** The job's result as the read model keeps it (JSON-friendly: no bigint). */
export interface JobResultView {
  code: number | null
  signal: string
  killed: boolean
  log: string
  lastline: string
  truncatedBytes: number
  reason: string
  /**
   * Something here was cut (absent: false): `log` keeps only its last {@link VIEW_LOG_BYTES}, or the
   * bot cut the output lines or last line it reported at the end to fit a message.
   */
  abridged?: boolean
}

/**
 * A job as folded from its events: the scheduler's `jobs` read model keeps one per job, and the
 * webhook relay keeps the same for each job it follows, so both show the same job.
 */
export interface JobView {
  id: string
  customer: string
  taskId: string
  name: string
  hostId: string
  lifecycle: string
  state: string
  taskArgumentsValues: string[]
  output: string[]
  /** Null until the bot sent output or a result. */
  result: JobResultView | null
  origin: string
  creationDate: Date
  lastUpdate: Date
  version: number
  author: string
  /** The schedule whose fire started the job; absent when none did. */
  scheduleId?: string
  /** The time that fire was scheduled for; absent when no schedule started the job. */
  scheduledFor?: Date
  /** When a triggered run's grace time ends (lifecycle `onhold` until then); absent when it had none. */
  holdUntil?: Date
  /** The workflow run whose node the job is, and the node's key; absent for a job of no run. */
  workflowRunId?: string
  workflowNode?: string
}

/** What a reader knows about a stored event besides its payload. */
export interface JobEventFacts {
  jobId: string
  version: number
  occurredAt: Date
  author: string
}

const emptyResult = (): JobResultView => ({
  code: null,
  signal: '',
  killed: false,
  log: '',
  lastline: '',
  truncatedBytes: 0,
  reason: '',
})

/** The last non-empty line of `text`, or undefined when it has none. */
function lastLineOf(text: string): string | undefined {
  const lines = text.split(/\r?\n/)
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim()
    if (line !== '') return line
  }
  return undefined
}

/** The end of `log` the view keeps, and whether the view's result is abridged with it. */
function keptLog(log: string, abridged: boolean | undefined): Pick<JobResultView, 'log' | 'abridged'> {
  const kept = utf8Tail(log, VIEW_LOG_BYTES)
  return abridged || kept.length < log.length ? { log: kept, abridged: true } : { log: kept }
}

/** What a reason-less lease expiry shows: the bot went silent. */
export const LEASE_EXPIRED_REASON = 'the bot stopped answering'

/**
 * The fold of job events to the job as it is shown: the view after one more event. Lifecycle and
 * state come from {@link jobStatusAfter}. A queued event creates the view; any other event for a job
 * the view does not hold is ignored (it cannot happen for streams the scheduler wrote).
 */
export function applyJobEvent(
  view: JobView | undefined,
  event: JobDomainEvent,
  facts: JobEventFacts,
): JobView | undefined {
  const before: JobStatus | undefined =
    view === undefined
      ? undefined
      : { lifecycle: view.lifecycle as JobLifecycleName, state: view.state as JobStateName, started: false }
  const status = jobStatusAfter(before, event)
  const touched = (next: Partial<JobView>, base: JobView): JobView => ({
    ...base,
    ...next,
    ...(status === undefined ? {} : { lifecycle: status.lifecycle, state: status.state }),
    version: facts.version,
    lastUpdate: facts.occurredAt,
  })
  if (event.$case === 'queued') {
    if (view !== undefined || status === undefined) return view
    const q = event.value
    return {
      id: facts.jobId,
      customer: q.customer,
      taskId: q.spec?.taskId ?? '',
      name: q.spec?.taskName ?? '',
      hostId: q.spec?.hostId ?? '',
      lifecycle: status.lifecycle,
      state: status.state,
      taskArgumentsValues: q.taskArgumentsValues,
      output: [],
      result: null,
      origin: q.origin,
      creationDate: facts.occurredAt,
      lastUpdate: facts.occurredAt,
      version: facts.version,
      author: facts.author,
      ...(q.scheduleId ? { scheduleId: q.scheduleId } : {}),
      ...(q.scheduleId && q.scheduledFor ? { scheduledFor: q.scheduledFor } : {}),
      ...(q.holdUntil ? { holdUntil: q.holdUntil } : {}),
      ...(q.workflowRunId ? { workflowRunId: q.workflowRunId, workflowNode: q.workflowNode ?? '' } : {}),
    }
  }
  if (view === undefined) return undefined
  switch (event.$case) {
    case 'assigned':
      return touched({ hostId: event.value.botId }, view)
    case 'started':
    case 'holdReleased':
    case 'cancelRequested':
    case 'awaitingApproval':
    case 'stepVoted':
      return touched({}, view)
    case 'outputAppended': {
      const result = view.result ?? emptyResult()
      return touched(
        {
          result: {
            ...result,
            ...keptLog(result.log + event.value.text, result.abridged),
            lastline: lastLineOf(event.value.text) ?? result.lastline,
          },
        },
        view,
      )
    }
    case 'finished': {
      const reported = event.value.result
      const live = view.result ?? emptyResult()
      // The output chunks made the log; the finished report's may be only its end (abridged). A job
      // without chunks (one that never started) has the reported one only.
      const { log, abridged } = keptLog(live.log || reported?.log || '', live.abridged || reported?.abridged)
      const result: JobResultView = {
        code: reported?.code ?? null,
        signal: reported?.signal ?? '',
        killed: reported?.killed ?? false,
        log,
        lastline: reported?.lastline || lastLineOf(log) || '',
        truncatedBytes: Number(reported?.truncatedBytes ?? 0n),
        reason: reported?.reason ?? '',
        ...(abridged ? { abridged } : {}),
      }
      return touched({ output: event.value.output, result }, view)
    }
    case 'canceled':
      // The reason shows in the result: a refused trigger says there why its job never ran.
      return touched({ result: { ...(view.result ?? emptyResult()), reason: event.value.reason } }, view)
    case 'leaseExpired': {
      const live = view.result ?? emptyResult()
      return touched(
        {
          result: {
            ...live,
            lastline: live.lastline || lastLineOf(live.log) || '',
            reason: event.value.reason || LEASE_EXPIRED_REASON,
          },
        },
        view,
      )
    }
  }
}
