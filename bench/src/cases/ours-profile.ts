import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { monotonicMicros, type ProfileWindow, summarizeProfiles } from '../lib/cpu-profile.js'
import type { ProfileSummary } from '../results/model.js'
import { startBenchPlatform } from './bench-platform.js'
import type { CaseContext } from './case.js'
import { oursGateway } from './ours-gateway.js'
import { burstPass, Problems, saturationPass } from './ours-jobs.js'
import { oursWebhooks } from './ours-webhooks.js'

export interface ProfileRun {
  profiles: ProfileSummary[]
  jobs: number
  rate: number
  cpuPerJob: Record<string, number>
}

/**
 * A separate platform whose every Node.js process is CPU-profiled from start to exit (as `--cpu-prof`
 * would), put through one webhook pass, one sustained job pass and one gateway pass; each profile is cut to each pass
 * and summarised (top frames and modules by self time). The raw profiles go to `<out>/profiles` for
 * Chrome DevTools or speedscope.
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
      log: ctx.log,
    })
    const pids = bp.pids()
    const windows: ProfileWindow[] = []
    let burst: Awaited<ReturnType<typeof burstPass>>
    try {
      // Webhooks first, as in the measured run: their subscriptions are gone before the job pass.
      const webhooksFrom = monotonicMicros()
      await oursWebhooks({ ...ctx, repetitions: 1 }, bp)
      windows.push({
        pass: 'webhooks (task.update to 20 subscriptions, with and without a dead receiver)',
        from: webhooksFrom,
        to: monotonicMicros(),
        processes: ['webhook-relay', 'task-catalog', 'gateway', 'job-scheduler'],
      })
      await saturationPass(bp, options.botConcurrency * 2, 100, new Problems())
      const from = monotonicMicros()
      burst = await burstPass(bp, jobs, new Problems())
      windows.push({ pass: `sustained jobs (${jobs} runs)`, from, to: monotonicMicros() })
      const gatewayFrom = monotonicMicros()
      await oursGateway({ ...ctx, repetitions: 1 }, bp)
      windows.push({
        pass: 'gateway GET /:customer/task',
        from: gatewayFrom,
        to: monotonicMicros(),
        processes: ['gateway', 'task-catalog'],
      })
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
    return { profiles, jobs, rate: burst.rate, cpuPerJob: burst.cpuPerJob }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
