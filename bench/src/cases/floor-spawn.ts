import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { wallClockMs } from '../lib/clock.js'
import { closedLoop } from '../lib/load.js'
import { ownCpuMs } from '../lib/process-cpu.js'
import { BOT_SPAWN_DEFAULTS, spawnScript } from '../lib/spawn-script.js'
import { summarizeLatencies } from '../lib/stats.js'
import type { CaseResult } from '../results/model.js'
import { Series } from '../results/series.js'
import { assertNoFailures, type CaseContext } from './case.js'
import { markerScript } from './marker-script.js'

const AT_ONCE = 16

/** Runs the marker script once as the bot would (see spawnScript) and answers when it exited. */
async function runScript(script: string, jobId: string): Promise<void> {
  const end = await spawnScript(script, {
    ...BOT_SPAWN_DEFAULTS,
    env: { ...process.env, TASKFORGE_JOB_ID: jobId },
  })
  if (end.code !== 0) throw new Error(`marker script exited ${end.code ?? end.signal}`)
}

/**
 * The floor of "script started": a bare Node.js process spawning the job path's own marker script
 * (bash stamping `$EPOCHREALTIME`) the way the bot does, nothing else around it. Latency is spawn call
 * → the script's stamp, one at a time; the rate is spawn-to-exit with `AT_ONCE` scripts at a time.
 * No job of ours can start sooner than this, whatever the services in front of the bot do.
 */
export async function floorSpawn(ctx: CaseContext): Promise<CaseResult> {
  const sequential = ctx.quick ? 100 : 500
  const spawns = ctx.quick ? 500 : 3_000
  const series = new Series()
    .declare('start.p50', 'spawn → script started p50', 'latency-p50')
    .declare('start.p99', 'spawn → script started p99', 'latency-p99')
    .declare('rate', 'scripts spawned and exited', 'rate', 'scripts/s')
  const dir = await mkdtemp(join(tmpdir(), 'bench-spawn-'))
  const notes: string[] = []
  try {
    const script = join(dir, 'marker.sh')
    await writeFile(script, markerScript(dir))
    await chmod(script, 0o755)
    for (let rep = 0; rep < ctx.repetitions; rep++) {
      const samples: number[] = []
      for (let i = 0; i < sequential; i++) {
        const id = `s${rep}-${i}`
        const started = wallClockMs()
        await runScript(script, id)
        samples.push(Number(await readFile(join(dir, id), 'utf8')) * 1000 - started)
        await rm(join(dir, id))
      }
      const latency = summarizeLatencies(samples)
      series.add('start.p50', latency.p50)
      series.add('start.p99', latency.p99)
      const before = ownCpuMs()
      const started = wallClockMs()
      const outcome = await closedLoop({
        workers: AT_ONCE,
        count: spawns,
        call: (index) => runScript(script, `r${rep}-${index}`),
      })
      assertNoFailures('spawn floor', outcome)
      series.add('rate', spawns / ((wallClockMs() - started) / 1000))
      const after = ownCpuMs()
      if (rep === ctx.repetitions - 1) {
        notes.push(
          `CPU per script (last repetition): ${((after.own - before.own) / spawns).toFixed(2)} ms in the spawning Node.js process, ${((after.children - before.children) / spawns).toFixed(2)} ms in the script (bash)`,
        )
      }
      ctx.log(`spawn floor ${rep + 1}/${ctx.repetitions}: p50 ${latency.p50.toFixed(2)} ms`)
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  return {
    id: 'floor.spawn',
    title: 'Floor: bare spawn of the marker script',
    group: 'floor',
    settings: { script: 'the job path marker script (bash)', sequential, spawns, atOnce: AT_ONCE },
    metrics: series.metrics(),
    notes,
  }
}
