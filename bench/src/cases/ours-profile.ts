import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { monotonicMicros, type ProfileWindow, summarizeProfiles } from '../lib/cpu-profile.js'
import { STATEMENT_STATS_SETTINGS, StatementStats } from '../lib/statement-stats.js'
import type { ProfileSummary, StatementSummary } from '../results/model.js'
import { startBenchPlatform } from './bench-platform.js'
import type { CaseContext } from './case.js'
import { oursGateway } from './ours-gateway.js'
import { burstPass, LOW_RATE, openLoopCpuPass, Problems, saturationPass } from './ours-jobs.js'
import { oursWebhooks } from './ours-webhooks.js'

/** Runs of the low-rate pass. */
const LOW_JOBS = 50

export interface ProfileRun {
  profiles: ProfileSummary[]
  statements: StatementSummary[]
  jobs: number
  rate: number
  cpuPerJob: Record<string, number>
}

/**
 * A separate platform whose every Node.js process is CPU-profiled from start to exit (as `--cpu-prof`
 * would), put through one webhook pass, one sustained job pass and one gateway pass. Each profile is
 * cut to each pass and summarised (top frames and modules by self time), and so are the Postgres
 * statements of each service's database (pg_stat_statements). The raw profiles go to
 * `<out>/profiles` for Chrome DevTools or speedscope.
 */
export async function profileOurs(
  ctx: CaseContext,
  options: { botConcurrency: number; outDir: string },
): Promise<ProfileRun> {
  const dir = await mkdtemp(join(tmpdir(), 'taskforge-bench-prof-'))
  const profiler = fileURLToPath(new URL('../profiling/cpu-profiler.mjs', import.meta.url))
  const nodeOptions = [process.env.NODE_OPTIONS ?? '', `--import=${profiler}`].join(' ').trim()
  const jobs = ctx.quick ? 300 : 400
  try {
    const bp = await startBenchPlatform({
      botConcurrency: options.botConcurrency,
      env: { NODE_OPTIONS: nodeOptions, BENCH_CPU_PROFILE_DIR: dir },
      postgresSettings: STATEMENT_STATS_SETTINGS,
      log: ctx.log,
    })
    const pids = bp.pids()
    const windows: ProfileWindow[] = []
    const statements: StatementSummary[] = []
    let burst: Awaited<ReturnType<typeof burstPass>>
    try {
      const stats = await StatementStats.open(bp.platform.databases)
      /** Runs one pass, cutting the CPU profiles and the statement counts to it. */
      const pass = async <T>(name: string, processes: string[] | undefined, work: () => Promise<T>) => {
        await stats.reset()
        const from = monotonicMicros()
        const result = await work()
        windows.push({
          pass: name,
          from,
          to: monotonicMicros(),
          ...(processes === undefined ? {} : { processes }),
        })
        statements.push(...(await stats.read(name)))
        return result
      }
      try {
        // Webhooks first, as in the measured run: their subscriptions are gone before the job pass.
        await pass(
          'webhooks (task.update to 20 subscriptions, with and without a dead receiver)',
          ['webhook-relay', 'task-catalog', 'gateway', 'job-scheduler'],
          () => oursWebhooks({ ...ctx, repetitions: 1 }, bp),
        )
        await saturationPass(bp, options.botConcurrency * 2, 100, new Problems())
        // The fixed costs of one job, which nothing amortizes at a low rate.
        await pass(`jobs at ${LOW_RATE}/s (${LOW_JOBS} runs, not waiting)`, undefined, () =>
          openLoopCpuPass(bp, LOW_RATE, LOW_JOBS, new Problems()),
        )
        burst = await pass(`sustained jobs (${jobs} runs)`, undefined, () =>
          burstPass(bp, jobs, new Problems()),
        )
        await pass('gateway GET /:customer/task', ['gateway', 'task-catalog'], () =>
          oursGateway({ ...ctx, repetitions: 1 }, bp),
        )
      } finally {
        await stats.close()
      }
    } finally {
      await bp.stop()
    }
    const profiles = await summarizeProfiles(dir, pids, windows)
    const kept = join(options.outDir, 'profiles')
    await rm(kept, { recursive: true, force: true })
    await mkdir(kept, { recursive: true })
    for (const profile of profiles) {
      const name = `${profile.process}.cpuprofile`
      await cp(join(dir, profile.file), join(kept, name))
      profile.file = `profiles/${name}`
    }
    return { profiles, statements, jobs, rate: burst.rate, cpuPerJob: burst.cpuPerJob }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
