import { isTransientFailure } from '@taskforge/core'
import {
  type executeJobCommand,
  executeJobCommands,
  type JobCommandDeps,
  type JobCommandRequest,
  type JobCommandResult,
} from './job-command-handler.js'

/** Commands applied in one transaction at most. */
export const COMMAND_BATCH_MAX = 64

interface Waiting {
  request: JobCommandRequest
  resolve(result: JobCommandResult): void
  reject(error: unknown): void
}

/**
 * Group commit of job commands: a command handed in while no batch is being applied starts one at
 * once; those handed in meanwhile wait and then apply together as the next batch
 * ({@link executeJobCommands}: one transaction, one read, one append, one wake-up of the projector
 * and the outbox relay). Each command still gets its own outcome: a decision that fails (an early
 * report, one the job refuses) fails that command only, and a batch whose transaction fails for a
 * reason other than the infrastructure is applied again one command at a time. A batch holds one command per job (a
 * second one waits for the next batch), so a job's commands apply in the order they were handed in.
 * Not for commands that place a job of a task without multitasking: those decide on the task's
 * queue and must see their batch-mates' writes (apply them with {@link executeJobCommand}).
 */
export class JobCommandBatches {
  readonly #deps: JobCommandDeps
  #waiting: Waiting[] = []
  #applying = false

  constructor(deps: JobCommandDeps) {
    this.#deps = deps
  }

  /** Applies the command with the next batch; settles once that batch committed. */
  apply(request: JobCommandRequest): Promise<JobCommandResult> {
    return new Promise<JobCommandResult>((resolve, reject) => {
      this.#waiting.push({ request, resolve, reject })
      if (!this.#applying) void this.#drain()
    })
  }

  async #drain(): Promise<void> {
    this.#applying = true
    while (this.#waiting.length > 0) {
      const batch: Waiting[] = []
      const later: Waiting[] = []
      const jobs = new Set<string>()
      for (const waiting of this.#waiting) {
        if (batch.length < COMMAND_BATCH_MAX && !jobs.has(waiting.request.jobId)) {
          jobs.add(waiting.request.jobId)
          batch.push(waiting)
        } else {
          later.push(waiting)
        }
      }
      this.#waiting = later
      try {
        await this.#apply(batch)
      } catch (error) {
        // One command's data may fail the whole transaction (an append the database refuses): each
        // then applies alone, so the others (of other jobs, other organizations) do not fail with it.
        if (batch.length === 1 || isTransientFailure(error)) {
          for (const { reject } of batch) reject(error)
          continue
        }
        for (const waiting of batch) await this.#apply([waiting]).catch(waiting.reject)
      }
    }
    this.#applying = false
  }

  async #apply(batch: readonly Waiting[]): Promise<void> {
    const outcomes = await executeJobCommands(
      this.#deps,
      batch.map(({ request }) => request),
    )
    batch.forEach(({ resolve, reject }, index) => {
      const outcome = outcomes[index]!
      if (outcome.ok) resolve(outcome.result)
      else reject(outcome.error)
    })
  }
}
