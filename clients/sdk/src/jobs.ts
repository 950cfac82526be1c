import { customerOf, type Job, type Taskforge } from './client.js'
import { TaskforgeError } from './errors.js'

const ENDS = new Set(['finished', 'terminated', 'canceled'])

/** Whether a job has ended (finished, terminated or canceled): its state is final. */
export const hasEnded = (job: Pick<Job, 'lifecycle'>) => ENDS.has(job.lifecycle)

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(timer)
      resolve()
    })
  })

export interface RunOptions {
  /** One value per non-fixed argument of the task, in order. */
  args?: unknown[]
  /** Sent as `Idempotency-Key`: a retry with the same key answers the first run's job. */
  idempotencyKey?: string
}

/** Runs a task and answers the created job at once. */
export async function runTask(tf: Taskforge, taskId: string, options: RunOptions = {}): Promise<Job> {
  const { data } = await tf.api.POST('/{customer}/task/{id}/job', {
    params: {
      path: { customer: customerOf(tf), id: taskId },
      ...(options.idempotencyKey === undefined
        ? {}
        : { header: { 'idempotency-key': options.idempotencyKey } }),
    },
    body: { task_arguments: options.args ?? [] },
  })
  return data as Job
}

export interface WaitOptions {
  /** How long to wait at most (ms); unbounded when absent. */
  timeoutMs?: number
  /** Between two reads of the job (ms). */
  pollMs?: number
  signal?: AbortSignal
}

/** Reads a job until it has ended or the wait is over; `ended` says which. */
export async function waitForJob(
  tf: Taskforge,
  jobId: string,
  options: WaitOptions = {},
): Promise<{ job: Job; ended: boolean }> {
  const deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs
  for (;;) {
    const { data } = await tf.api.GET('/{customer}/job/{id}', {
      params: { path: { customer: customerOf(tf), id: jobId } },
    })
    const job = data as Job
    if (hasEnded(job)) return { job, ended: true }
    const left = deadline - Date.now()
    if (left <= 0 || options.signal?.aborted) return { job, ended: false }
    await sleep(Math.min(options.pollMs ?? 500, left), options.signal)
  }
}

/**
 * Runs a task and waits for its job to end: the job as it ended, or as it is when `timeoutMs` is
 * over (`ended: false`).
 *
 * ```ts
 * const { job } = await runAndWait(tf, taskId, { args: ['world'] })
 * if (job.state !== 'success') process.exit(2)
 * ```
 */
export async function runAndWait(
  tf: Taskforge,
  taskId: string,
  options: RunOptions & WaitOptions = {},
): Promise<{ job: Job; ended: boolean }> {
  const started = Date.now()
  const job = await runTask(tf, taskId, options)
  const timeoutMs = options.timeoutMs === undefined ? undefined : options.timeoutMs - (Date.now() - started)
  return waitForJob(tf, job.id, { ...options, ...(timeoutMs === undefined ? {} : { timeoutMs }) })
}

export interface FollowOptions {
  signal?: AbortSignal
  /** Reconnections in a row without new output before giving up. */
  maxRetries?: number
  /** Told of each reconnection, with the error that ended the stream. */
  onReconnect?: (attempt: number, error: unknown) => void
}

/**
 * A job's log as it is written, until the job ends. A connection that drops is opened again, and
 * what was already received (counted in bytes of the log) is skipped: no text is lost or repeated.
 *
 * ```ts
 * for await (const text of followLog(tf, job.id)) process.stdout.write(text)
 * ```
 */
export async function* followLog(
  tf: Taskforge,
  jobId: string,
  options: FollowOptions = {},
): AsyncGenerator<string, void, undefined> {
  const logUrl = `${tf.url}/${encodeURIComponent(customerOf(tf))}/job/${encodeURIComponent(jobId)}/log`
  const decoder = new TextDecoder()
  let offset = 0
  let failures = 0
  /** The body's bytes past `offset`, decoded; `offset` advances as they come. */
  async function* rest(response: Response): AsyncGenerator<string> {
    let skip = offset
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      let bytes = chunk
      if (skip > 0) {
        if (bytes.length <= skip) {
          skip -= bytes.length
          continue
        }
        bytes = bytes.subarray(skip)
        skip = 0
      }
      offset += bytes.length
      failures = 0
      const text = decoder.decode(bytes, { stream: true })
      if (text !== '') yield text
    }
  }
  const open = async (follow: boolean) => {
    const response = await tf.fetch(follow ? `${logUrl}?follow=true` : logUrl, {
      headers: tf.headers,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })
    if (!response.ok) throw await TaskforgeError.fromResponse(response)
    return response
  }
  for (;;) {
    try {
      yield* rest(await open(true))
      // The stream ended: the job ended, or the gateway stopped following. The whole log says which.
      const whole = await open(false)
      const complete = whole.headers.get('x-taskforge-log-complete') === 'true'
      yield* rest(whole)
      if (complete) break
    } catch (error) {
      if (options.signal?.aborted || error instanceof TaskforgeError) throw error
      failures += 1
      if (failures > (options.maxRetries ?? 10)) throw error
      options.onReconnect?.(failures, error)
      await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** (failures - 1), 5_000)))
    }
  }
  const tail = decoder.decode()
  if (tail !== '') yield tail
}
