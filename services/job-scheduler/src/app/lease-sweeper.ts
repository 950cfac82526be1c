import type { Logger } from '@taskforge/telemetry'
import { expiredLeases, extendRunningLeases, trySweeperLock } from '../schedule/job-leases.js'
import { executeJobCommand, type JobCommandDeps } from './job-command-handler.js'

export interface LeaseSweeperOptions extends JobCommandDeps {
  /** How often expired leases are looked for. */
  intervalMs: number
  logger: Logger
  /** Jobs ended per round at most. */
  batchSize?: number
}

/** Why a job whose lease ran out ended, as its result says. */
export function leaseExpiredReason(botId: string, leaseMs: number): string {
  return `bot ${botId} gave no sign of life for ${Math.round(leaseMs / 100) / 10}s while running the job (lease expired)`
}

/**
 * Ends running jobs whose bot stopped renewing their lease (terminated / error). Leases live in the
 * schedule table, so they survive restarts; one replica at a time scans them (advisory lock), and
 * ending a job twice is harmless (the decider ignores an ended job).
 */
export class LeaseSweeper {
  readonly #options: LeaseSweeperOptions
  #timer: NodeJS.Timeout | undefined
  #round: Promise<void> | undefined

  constructor(options: LeaseSweeperOptions) {
    this.#options = options
  }

  async start(): Promise<void> {
    const extended = await extendRunningLeases(this.#options.store.db, this.#options.leaseMs)
    if (extended > 0) this.#options.logger.info({ jobs: extended }, 'running jobs given a fresh lease')
    this.#timer = setInterval(() => this.#tick(), this.#options.intervalMs)
    this.#timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.#round
  }

  /** One round now; answers how many jobs it ended. */
  async sweep(): Promise<number> {
    const { store, logger } = this.#options
    const expired = await store.transaction(async (trx) =>
      (await trySweeperLock(trx)) ? expiredLeases(trx, this.#options.batchSize ?? 100) : [],
    )
    let ended = 0
    for (const lease of expired) {
      try {
        const { newEvents } = await executeJobCommand(
          this.#options,
          lease.jobId,
          {
            type: 'ExpireLease',
            botId: lease.botId,
            attempt: lease.attempt,
            reason: leaseExpiredReason(lease.botId, this.#options.leaseMs),
            now: new Date(),
          },
          { author: 'scheduler' },
        )
        if (newEvents.length > 0) {
          ended += 1
          logger.warn({ jobId: lease.jobId, botId: lease.botId }, 'job lease expired: job terminated')
        }
      } catch (error) {
        logger.error({ err: error, jobId: lease.jobId }, 'expired lease not handled; will retry')
      }
    }
    return ended
  }

  #tick(): void {
    if (this.#round !== undefined) return
    this.#round = this.sweep()
      .then(() => undefined)
      .catch((error: unknown) => this.#options.logger.error({ err: error }, 'lease sweep failed'))
      .finally(() => {
        this.#round = undefined
      })
  }
}
